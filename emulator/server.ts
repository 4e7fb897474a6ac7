import * as http from "node:http";
import type { AddressInfo } from "node:net";
import { EmulatorRuleError } from "./errors";
import type { ScopeGrant } from "./seed";
import type { Caller, Store } from "./store";

/** Each API family answers errors in its own shape. */
export type Family = "accounts" | "exchange" | "platform" | "manager";

export interface Context {
  method: string;
  path: string;
  params: Record<string, string>;
  query: URLSearchParams;
  headers: http.IncomingHttpHeaders;
  body: unknown;
  store: Store;
  /** Set on authenticated routes. */
  caller: Caller;
  options: ServerOptions;
}

export interface Reply {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}

/** Parses, authorises, calls the store and renders; the store's rules throw EmulatorRuleError. */
export type Handler = (ctx: Context) => Reply | Promise<Reply>;

export interface Route {
  method: string;
  pattern: string;
  family: Family;
  /** False for the token endpoint and the control surface. */
  auth: boolean;
  control?: boolean;
  handler: Handler;
}

/**
 * Declares a route. `family` chooses the error shape its refusals are answered in; a route needs
 * a bearer token unless `auth: false`; `control: true` keeps it out of faults, latency and the log.
 */
export function route(
  family: Family,
  method: string,
  pattern: string,
  handler: Handler,
  { auth = true, control = false }: { auth?: boolean; control?: boolean } = {},
): Route {
  return { method, pattern, family, auth, handler, ...(control ? { control } : {}) };
}

/** Thrown by handlers; rendered in the route family's error shape. */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly body?: unknown,
  ) {
    super(message);
  }
}

export const fail = (status: number, message: string, body?: unknown): never => {
  throw new HttpError(status, message, body);
};

const REASONS: Record<number, string> = {
  400: "Bad Request",
  401: "Unauthorized",
  403: "Forbidden",
  404: "Not Found",
  409: "Conflict",
  429: "Too Many Requests",
  500: "Internal Server Error",
  502: "Bad Gateway",
  503: "Service Unavailable",
  504: "Gateway Timeout",
};

export function errorBody(family: Family, status: number, message: string): unknown {
  if (family === "manager") return { error: REASONS[status] ?? "Error", message };
  if (status === 403 && (family === "exchange" || family === "platform"))
    return { status: 403, message: "Unauthorized", details: {} };
  return { status, message, details: {} };
}

/** Whether the caller holds `scope` where the call acts. */
export function has(
  caller: Caller,
  scope: string,
  where: { organizationId?: string; environmentId?: string; applicationId?: number } = {},
): boolean {
  return caller.scopes.some((grant: ScopeGrant) =>
    typeof grant === "string"
      ? grant === scope
      : grant.scope === scope &&
        (grant.organizationId === undefined || grant.organizationId === where.organizationId) &&
        (grant.environmentId === undefined || grant.environmentId === where.environmentId) &&
        (grant.applicationId === undefined || grant.applicationId === where.applicationId),
  );
}

export function requireScope(
  ctx: Context,
  scopes: string[],
  where: { organizationId?: string; environmentId?: string; applicationId?: number } = {},
): void {
  const missing = scopes.filter((scope) => !has(ctx.caller, scope, where));
  if (missing.length > 0) fail(403, `missing ${missing.join(", ")}`);
}

/**
 * What parseBody needs of a body schema: zod's `safeParse`. Declared here, not as a zod type, so
 * that the published declarations never import zod.
 */
export interface BodySchema<T> {
  safeParse(
    value: unknown,
  ):
    | { success: true; data: T }
    | { success: false; error: { issues: readonly { path: readonly PropertyKey[]; message: string }[] } };
}

/** Parses a body with an emulator-side schema; a violation answers 400 in the family's shape. */
export function parseBody<T>(ctx: Context, schema: BodySchema<T>): T {
  const parsed = schema.safeParse(ctx.body ?? {});
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  return fail(400, `${issue.path.join(".") || "body"}: ${issue.message}`);
}

export function intParam(ctx: Context, name: string): number {
  const raw = ctx.params[name];
  if (!/^\d{1,15}$/.test(raw)) fail(404, `${name} ${raw} not found`);
  return Number(raw);
}

/** offset/limit from the query, refusing values outside the documented range as the service does. */
export function paging(
  ctx: Context,
  defaultLimit: number,
  maxLimit = 250,
  minLimit = 1,
): { offset: number; limit: number } {
  const number = (name: string, fallback: number) => {
    const raw = ctx.query.get(name);
    return raw === null || raw === "" ? fallback : /^-?\d+$/.test(raw) ? Number(raw) : NaN;
  };
  const offset = number("offset", 0);
  const limit = number("limit", defaultLimit);
  if (!Number.isInteger(offset) || offset < 0) fail(400, "offset must be a non-negative integer");
  if (!Number.isInteger(limit) || limit < minLimit || limit > maxLimit)
    fail(400, `limit must be an integer between ${minLimit} and ${maxLimit}`);
  return { offset, limit };
}

export interface ServerOptions {
  tokenTtlSeconds: number;
  latencyMs: number;
}

export interface RequestLogEntry {
  time: string;
  method: string;
  path: string;
  query: string;
  status: number;
  caller?: string;
  durationMs: number;
}

export interface FaultRule {
  method?: string;
  /** A path pattern (see `pathMatches`): text found anywhere in the path, `*` any run, `^`/`$` anchors. */
  path?: string;
  status?: number;
  /** 0..1; default 1. */
  probability?: number;
  /** How many times the rule may fire; default unlimited. */
  count?: number;
  latencyMs?: number;
  /** Close the connection without an answer. */
  drop?: boolean;
  headers?: Record<string, string>;
  /** `after`: the request takes effect, then its answer is replaced or dropped (a lost answer). */
  phase?: "before" | "after";
}

/**
 * Fault path patterns: plain text, `*` for any run of characters, `^` and `$` to anchor at the
 * start and end. Not regular expressions: a pattern such as `(a+)+b` could hang the emulator.
 */
export const FAULT_PATTERN = /^\^?[A-Za-z0-9/_\-.~%:@*]*\$?$/;
export const FAULT_PATTERN_MAX_LENGTH = 512;

/** Whether `path` matches a fault pattern, in linear time (no backtracking). */
export function pathMatches(pattern: string, path: string): boolean {
  const start = pattern.startsWith("^");
  const end = pattern.length > (start ? 1 : 0) && pattern.endsWith("$");
  const glob = `${start ? "" : "*"}${pattern.slice(start ? 1 : 0, end ? -1 : undefined)}${end ? "" : "*"}`;
  const parts = glob.split("*");
  if (parts.length === 1) return path === glob;
  const head = parts[0];
  const tail = parts[parts.length - 1];
  if (path.length < head.length + tail.length || !path.startsWith(head) || !path.endsWith(tail)) return false;
  let at = head.length;
  const limit = path.length - tail.length;
  for (const middle of parts.slice(1, -1)) {
    const found = path.indexOf(middle, at);
    if (found < 0 || found + middle.length > limit) return false;
    at = found + middle.length;
  }
  return true;
}

/** Seeded PRNG (mulberry32) so fault runs repeat. */
export function prng(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export class Faults {
  rules: FaultRule[] = [];
  private random = prng(1);

  set(rules: FaultRule[], seed = 1): void {
    this.rules = rules.map((rule) => ({ ...rule }));
    this.random = prng(seed);
  }

  /** The rule that fires for this request, if any (each rule draws once per matching request). */
  pick(method: string, path: string, phase: "before" | "after"): FaultRule | undefined {
    for (const rule of this.rules) {
      if ((rule.phase ?? "before") !== phase) continue;
      if (rule.method && rule.method.toUpperCase() !== method) continue;
      if (rule.path && !pathMatches(rule.path, path)) continue;
      if (rule.count !== undefined && rule.count <= 0) continue;
      if (this.random() >= (rule.probability ?? 1)) continue;
      if (rule.count !== undefined) rule.count--;
      return rule;
    }
    return undefined;
  }
}

interface CompiledRoute extends Route {
  segments: string[];
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** The HTTP server: routing, authentication, faults, latency, request log. */
export class EmulatorServer {
  private readonly routes: CompiledRoute[];
  readonly faults = new Faults();
  log: RequestLogEntry[] = [];
  inFlight = 0;
  peakInFlight = 0;
  private readonly server: http.Server;

  constructor(
    readonly store: Store,
    routes: Route[],
    readonly options: ServerOptions,
  ) {
    this.routes = routes.map((route) => ({ ...route, segments: route.pattern.split("/").slice(1) }));
    this.server = http.createServer((req, res) => void this.handle(req, res));
    this.server.keepAliveTimeout = 5000;
  }

  listen(port: number, host: string): Promise<number> {
    return new Promise((resolve, reject) => {
      this.server.once("error", reject);
      this.server.listen(port, host, () => resolve((this.server.address() as AddressInfo).port));
    });
  }

  close(): Promise<void> {
    return new Promise((resolve) => {
      this.server.close(() => resolve());
      this.server.closeAllConnections();
    });
  }

  resetLog(): void {
    this.log = [];
    this.peakInFlight = this.inFlight;
  }

  private match(
    method: string,
    rawPath: string,
  ): { route: CompiledRoute; params: Record<string, string> } | undefined {
    const segments = rawPath.split("/").slice(1);
    for (const route of this.routes) {
      if (route.method !== method || route.segments.length !== segments.length) continue;
      const params: Record<string, string> = {};
      let ok = true;
      for (let i = 0; i < segments.length && ok; i++) {
        const expected = route.segments[i];
        if (expected.startsWith(":")) {
          try {
            params[expected.slice(1)] = decodeURIComponent(segments[i]);
          } catch {
            ok = false;
          }
        } else ok = expected === segments[i];
      }
      if (ok) return { route, params };
    }
    return undefined;
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const started = Date.now();
    const method = (req.method ?? "GET").toUpperCase();
    const rawUrl = req.url ?? "/";
    const queryAt = rawUrl.indexOf("?");
    const rawPath = queryAt >= 0 ? rawUrl.slice(0, queryAt) : rawUrl;
    const query = new URLSearchParams(queryAt >= 0 ? rawUrl.slice(queryAt + 1) : "");
    const found = this.match(method, rawPath);
    const control = found?.route.control ?? rawPath.startsWith("/_emulator/");
    const family: Family =
      found?.route.family ?? (rawPath.startsWith("/apimanager") ? "manager" : "exchange");
    let caller: Caller | undefined;

    if (!control) {
      this.inFlight++;
      this.peakInFlight = Math.max(this.peakInFlight, this.inFlight);
    }
    const finish = (reply: Reply | undefined) => {
      if (!control) {
        this.inFlight--;
        this.log.push({
          time: new Date(started).toISOString(),
          method,
          path: rawPath,
          query: query.toString(),
          status: reply?.status ?? 0,
          caller: caller?.username ? `user:${caller.username}` : caller?.clientId,
          durationMs: Date.now() - started,
        });
        if (this.log.length > 500_000) this.log.splice(0, 100_000);
      }
      if (!reply) {
        req.socket.destroy();
        return;
      }
      const body = reply.body === undefined ? "" : JSON.stringify(reply.body);
      res.writeHead(reply.status, {
        ...(body ? { "Content-Type": "application/json" } : {}),
        "Content-Length": Buffer.byteLength(body),
        ...reply.headers,
      });
      res.end(body);
    };

    try {
      if (control) {
        const refusal = this.controlRefusal(req, method);
        if (refusal) return finish(refusal);
      }
      const rawBody = await readBody(req);
      if (!control) {
        if (this.options.latencyMs > 0) await sleep(this.options.latencyMs);
        const fault = this.faults.pick(method, rawPath, "before");
        if (fault) {
          if (fault.latencyMs) await sleep(fault.latencyMs);
          if (fault.drop) return finish(undefined);
          if (fault.status) return finish(faultReply(family, fault));
        }
      }
      if (!found) {
        return finish({ status: 404, body: errorBody(family, 404, `no route for ${method} ${rawPath}`) });
      }
      const { route, params } = found;
      if (route.auth) caller = this.authenticate(req, route.family);
      const ctx: Context = {
        method,
        path: rawPath,
        params,
        query,
        headers: req.headers,
        body: parseRequestBody(req, rawBody),
        store: this.store,
        caller: caller as Caller,
        options: this.options,
      };
      let reply = await route.handler(ctx);
      if (!control) {
        const lost = this.faults.pick(method, rawPath, "after");
        if (lost?.drop) return finish(undefined);
        if (lost?.status) reply = faultReply(family, lost);
      }
      finish(reply);
    } catch (error) {
      finish(errorReply(family, error));
    }
  }

  /**
   * The control surface has no authentication, so it answers only what a web page cannot send: a
   * Host naming loopback or the bound address (no DNS rebinding), no foreign Origin, and writes
   * as application/json (which a cross-site form or simple fetch cannot send without a preflight).
   */
  private controlRefusal(req: http.IncomingMessage, method: string): Reply | undefined {
    const refuse = (status: number, message: string): Reply => ({
      status,
      body: { status, message, details: {} },
    });
    const host = req.headers.host ?? "";
    if (!this.isLocalHost(host))
      return refuse(
        403,
        "the control surface answers only requests addressed to a loopback name or its bound address",
      );
    const origin = req.headers.origin;
    if (origin !== undefined && origin !== `http://${host}`)
      return refuse(403, "the control surface refuses cross-origin requests");
    const type = (req.headers["content-type"] ?? "").split(";")[0].trim().toLowerCase();
    if (method !== "GET" && method !== "HEAD" && type !== "application/json")
      return refuse(415, "control surface writes must be sent as Content-Type: application/json");
    return undefined;
  }

  private isLocalHost(hostHeader: string): boolean {
    let hostname: string;
    try {
      hostname = new URL(`http://${hostHeader}`).hostname.replace(/^\[|\]$/g, "");
    } catch {
      return false;
    }
    const bound = this.server.address();
    return (
      hostname === "localhost" ||
      hostname === "::1" ||
      /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(hostname) ||
      (typeof bound === "object" && bound !== null && hostname === bound.address.replace(/^\[|\]$/g, ""))
    );
  }

  private authenticate(req: http.IncomingMessage, family: Family): Caller {
    const header = req.headers.authorization ?? "";
    const match = /^Bearer\s+(\S+)$/i.exec(header);
    const token = match ? this.store.tokens.get(match[1]) : undefined;
    if (!token || token.expiresAt <= Date.now()) {
      throw new HttpError(
        401,
        token ? "token expired" : "missing or invalid token",
        errorBody(family, 401, "Unauthorized"),
      );
    }
    return token.caller;
  }
}

/** A refusal in the family's error shape; anything unexpected answers 500. */
function errorReply(family: Family, error: unknown): Reply {
  if (error instanceof HttpError)
    return { status: error.status, body: error.body ?? errorBody(family, error.status, error.message) };
  if (error instanceof EmulatorRuleError)
    return { status: error.status, body: errorBody(family, error.status, error.message) };
  return {
    status: 500,
    body: errorBody(family, 500, error instanceof Error ? error.message : String(error)),
  };
}

function faultReply(family: Family, fault: FaultRule): Reply {
  const status = fault.status!;
  const headers: Record<string, string> = { ...fault.headers };
  if (status === 429 && !Object.keys(headers).some((name) => name.toLowerCase() === "x-ratelimit-reset")) {
    headers["X-RateLimit-Limit"] = "100";
    headers["X-RateLimit-Remaining"] = "0";
    headers["X-RateLimit-Reset"] = String(Math.ceil(Date.now() / 1000) + 1);
  }
  return { status, headers, body: errorBody(family, status, REASONS[status] ?? "injected fault") };
}

function readBody(req: http.IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size > 5 * 1024 * 1024) {
        reject(new HttpError(413, "body too large"));
        req.destroy();
        return;
      }
      chunks.push(chunk);
    });
    req.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    req.on("error", reject);
  });
}

function parseRequestBody(req: http.IncomingMessage, raw: string): unknown {
  if (!raw) return undefined;
  const type = req.headers["content-type"] ?? "";
  if (type.includes("application/x-www-form-urlencoded")) return Object.fromEntries(new URLSearchParams(raw));
  try {
    return JSON.parse(raw);
  } catch {
    throw new HttpError(400, "the body is not valid JSON");
  }
}
