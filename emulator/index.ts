import { controlRoutes } from "./control";
import { accountsRoutes } from "./routes/accounts";
import { apiRoutes } from "./routes/apis";
import { applicationRoutes } from "./routes/applications";
import { contractRoutes } from "./routes/contracts";
import { defaultSeed, DEMO_CREDENTIALS, loadSeedFile, parseSeed, type Seed, type SeedInput } from "./seed";
import { EmulatorServer, type FaultRule, type RequestLogEntry } from "./server";
import { Store } from "./store";

export { DEMO_CREDENTIALS, defaultSeed, loadSeedFile, parseSeed };
export type { FaultRule, RequestLogEntry, Seed, SeedInput };
export type { Application, Contract, EmulatorState } from "./store";

export interface EmulatorOptions {
  /** A seed object (validated), or the default seed. */
  seed?: SeedInput;
  port?: number;
  host?: string;
  /** Persist state to this file (atomically) and start from it when it exists. */
  statePath?: string;
  /** Token lifetime; default 3600 s as on the real platform. */
  tokenTtlSeconds?: number;
  /** Latency added to every API request (not the control surface). */
  latencyMs?: number;
}

export interface RunningEmulator {
  url: string;
  port: number;
  close(): Promise<void>;
}

/**
 * Starts the Anypoint emulator on 127.0.0.1 (port 0 picks a free port). It serves the token,
 * client application, contract and API instance endpoints pulumi-anypoint uses, in the real
 * wire format, with scopes, and a control surface under /_emulator/.
 */
export async function startEmulator(options: EmulatorOptions = {}): Promise<RunningEmulator> {
  const store = new Store(parseSeed(options.seed ?? defaultSeed()), options.statePath);
  const serverOptions = {
    tokenTtlSeconds: options.tokenTtlSeconds ?? 3600,
    latencyMs: options.latencyMs ?? 0,
  };
  const server: EmulatorServer = new EmulatorServer(
    store,
    [
      ...controlRoutes(() => server),
      ...accountsRoutes,
      ...applicationRoutes,
      ...contractRoutes,
      ...apiRoutes,
    ],
    serverOptions,
  );
  const host = options.host ?? "127.0.0.1";
  const port = await server.listen(options.port ?? 0, host);
  return {
    url: `http://${host}:${port}`,
    port,
    close: async () => {
      await server.close();
      store.flush();
    },
  };
}

/** One call to the control surface (`/_emulator<route>`) of the emulator at `url`; throws unless 2xx. */
export async function controlRequest<T = unknown>(
  url: string,
  method: string,
  route: string,
  body?: unknown,
): Promise<T> {
  const response = await fetch(`${url}/_emulator${route}`, {
    method,
    // The control surface takes writes only as JSON (a cross-site page cannot send that unasked).
    headers: method === "GET" ? {} : { "content-type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (!response.ok)
    throw new Error(`emulator control ${method} ${route}: ${response.status} ${await response.text()}`);
  const text = await response.text();
  return (text ? JSON.parse(text) : undefined) as T;
}

/** A typed client for the control surface, for tests and demos. */
export function controlClient(url: string) {
  const call = <T>(method: string, route: string, body?: unknown): Promise<T> =>
    controlRequest<T>(url, method, route, body);
  return {
    reset: (seed?: SeedInput) => call<void>("POST", "/reset", seed),
    state: () =>
      call<{ applications: import("./store").Application[]; contracts: import("./store").Contract[] }>(
        "GET",
        "/state",
      ),
    changeApplication: (id: number, fields: Record<string, unknown>) =>
      call("PATCH", `/applications/${id}`, fields),
    deleteApplication: (id: number) => call<void>("DELETE", `/applications/${id}`),
    changeContract: (
      id: number,
      fields: { status?: string; tierId?: number | null; requestedTierId?: number | null },
    ) => call("PATCH", `/contracts/${id}`, fields),
    deleteContract: (id: number) => call<void>("DELETE", `/contracts/${id}`),
    setFaults: (rules: FaultRule[], options: { seed?: number; latencyMs?: number } = {}) =>
      call<void>("POST", "/faults", { rules, ...options }),
    clearFaults: () => call<void>("DELETE", "/faults"),
    expireTokens: () => call<void>("POST", "/tokens/expire"),
    tokens: () => call<{ tokens: { value: string; caller: string; expiresAt: string }[] }>("GET", "/tokens"),
    requests: () =>
      call<{ requests: RequestLogEntry[]; inFlight: number; peakConcurrency: number }>("GET", "/requests"),
    clearRequests: () => call<void>("DELETE", "/requests"),
  };
}

export type ControlClient = ReturnType<typeof controlClient>;
