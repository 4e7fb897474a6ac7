import * as http from "node:http";
import type { AddressInfo } from "node:net";
import { AnypointClient, type ClientOptions, type CreateContractRequest } from "../../client";
import { controlClient, type ControlClient, type SeedInput, startEmulator } from "../../emulator";
import { SEED as DEFAULT_SEED } from "../support/harness";

/** The default seed's ids and credentials (ARCHITECTURE.md). */
export const SEED = {
  org: "7f3c2a91-4d8e-4b6a-9c1f-2e5d8a7b3c10",
  sandbox: "5e1f7c2a-8b3d-4e6f-9a0b-1c2d3e4f5a61",
  production: "9d8c7b6a-5f4e-4d3c-8b2a-1f0e9d8c7b62",
  full: DEFAULT_SEED.full,
  readonly: DEFAULT_SEED.readonly,
  demoUser: { username: "demo-user", password: "Demo-Passw0rd!" },
  mfaUser: { username: "mfa-user", password: "Mfa-Passw0rd!" },
  legacyApp: { id: 2690001, clientSecret: "C3d4E5f6A7b8C9d0E1f2A3b4C5d6E7f8" },
  legacyContract: 7330001,
  apis: { orders: 18800101, payments: 18800102, customers: 18800103, legacy: 18800104, ordersProd: 18800201 },
  tiers: { ordersGold: 5100101, ordersSilver: 5100102, customersFree: 5100104, customersPremium: 5100105 },
} as const;

export const TOKEN_PATH = "/accounts/api/v2/oauth2/token";

export interface Emulator {
  url: string;
  control: ControlClient;
  close(): Promise<void>;
}

export interface EmulatorOptions {
  seed?: SeedInput;
  tokenTtlSeconds?: number;
}

export async function emulator(options: EmulatorOptions = {}): Promise<Emulator> {
  const running = await startEmulator({ port: 0, ...options });
  return { url: running.url, control: controlClient(running.url), close: () => running.close() };
}

/**
 * Starts an emulator before the enclosing describe's tests (beforeAll) and closes it after them
 * (afterAll). The answer reads the running emulator when used, so it may be taken at describe time.
 */
export function useEmulator(options: EmulatorOptions = {}): Emulator {
  let running: Emulator | undefined;
  beforeAll(async () => {
    running = await emulator(options);
  });
  afterAll(() => running?.close());
  const current = (): Emulator => {
    if (!running) throw new Error("the emulator starts in beforeAll: use it in a hook or a test");
    return running;
  };
  return {
    get url() {
      return current().url;
    },
    get control() {
      return current().control;
    },
    close: () => current().close(),
  };
}

/** Fast retries so tests never wait seconds for backoff; everything else as in production. */
export const FAST_RETRIES: ClientOptions = { retryBaseDelayMs: 5, retryMaxDelayMs: 20 };

export function fullClient(url: string, options: ClientOptions = {}): AnypointClient {
  return AnypointClient.fromOptions({ baseUrl: url, ...SEED.full, ...FAST_RETRIES, ...options }, {});
}

export function readonlyClient(url: string, options: ClientOptions = {}): AnypointClient {
  return AnypointClient.fromOptions({ baseUrl: url, ...SEED.readonly, ...FAST_RETRIES, ...options }, {});
}

/** The requests the emulator answered (the control surface excluded), optionally of one path. */
export async function requests(
  control: ControlClient,
  match?: { method?: string; path?: string | RegExp },
): Promise<{ method: string; path: string; query: string; status: number; caller?: string }[]> {
  const { requests: log } = await control.requests();
  return log.filter(
    (entry) =>
      (!match?.method || entry.method === match.method) &&
      (!match?.path ||
        (typeof match.path === "string" ? entry.path === match.path : match.path.test(entry.path))),
  );
}

export const tokenRequests = (control: ControlClient) => requests(control, { path: TOKEN_PATH });

/** The Exchange assets of the default seed's Sandbox API instances. */
const SANDBOX_APIS = {
  orders: { assetId: "orders-api", version: "1.2.0", versionGroup: "v1", apiId: SEED.apis.orders },
  payments: { assetId: "payments-api", version: "2.0.1", versionGroup: "v2", apiId: SEED.apis.payments },
  customers: { assetId: "customers-api", version: "1.0.0", versionGroup: "v1", apiId: SEED.apis.customers },
} as const;

/** A request for access to a Sandbox API instance of the default seed, for a tier if one is named. */
export function contractRequest(
  api: keyof typeof SANDBOX_APIS,
  requestedTierId?: number,
): CreateContractRequest {
  return {
    acceptedTerms: true,
    instanceType: "api",
    organizationId: SEED.org,
    groupId: SEED.org,
    ...SANDBOX_APIS[api],
    environmentId: SEED.sandbox,
    ...(requestedTierId === undefined ? {} : { requestedTierId }),
  };
}

/** Awaits a promise that must reject, and returns what it rejected with. */
export async function failure(promise: Promise<unknown>): Promise<Error & Record<string, unknown>> {
  try {
    await promise;
  } catch (error) {
    return error as Error & Record<string, unknown>;
  }
  throw new Error("expected the call to fail, but it succeeded");
}

export interface CapturedRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  contentType?: string;
  body: string;
}

/** Listens on a free loopback port; `close` also ends the connections still open. */
export async function listening(server: http.Server): Promise<{ url: string; close(): Promise<void> }> {
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/**
 * A pass-through proxy in front of the emulator that records every request the client sends.
 * `rewrite`, if given, may replace a request's body before it is forwarded (with its length).
 */
export async function capturingProxy(
  target: string,
  rewrite?: (request: http.IncomingMessage, body: Buffer) => Buffer,
): Promise<{
  url: string;
  captured: CapturedRequest[];
  close(): Promise<void>;
}> {
  const captured: CapturedRequest[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => {
      const received = Buffer.concat(chunks);
      const url = new URL(req.url ?? "/", target);
      captured.push({
        method: req.method ?? "GET",
        path: url.pathname,
        query: url.searchParams,
        contentType: req.headers["content-type"],
        body: received.toString("utf8"),
      });
      const body = rewrite ? rewrite(req, received) : received;
      const headers = {
        ...req.headers,
        host: new URL(target).host,
        ...(rewrite ? { "content-length": String(body.length) } : {}),
      };
      const forward = http.request(
        new URL(req.url ?? "/", target),
        { method: req.method, headers },
        (answer) => {
          res.writeHead(answer.statusCode ?? 502, answer.headers);
          answer.pipe(res);
        },
      );
      forward.on("error", () => res.destroy());
      forward.end(body);
    });
  });
  return { ...(await listening(server)), captured };
}
