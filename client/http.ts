import axios, { type AxiosInstance, type AxiosRequestConfig, type AxiosResponse } from "axios";
import { z } from "zod";
import { type ClientConfig, isLoopback } from "./config";
import { AnypointError, type ErrorCode } from "./errors";
import { errorBody, tokenResponse } from "./schemas";
import { type CallContext, forbiddenHint, type Operation } from "./scopes";

/**
 * What a request needs of the schema of its answer: zod's `safeParse`. Declared here, not as a zod
 * type, so that the published declarations never import zod (see types.ts).
 */
export interface AnswerSchema<T> {
  safeParse(
    value: unknown,
  ):
    | { success: true; data: T }
    | { success: false; error: { issues: readonly { path: readonly PropertyKey[]; message: string }[] } };
}

/** One request; `T` is the answer, as `schema` validates it. */
export interface RequestSpec<T> {
  operation: Operation;
  method: "GET" | "POST" | "PATCH" | "DELETE";
  /** Already encoded: build it with `path` below. */
  path: string;
  query?: Record<string, string | number | boolean | undefined>;
  body?: unknown;
  /** Validates the answer; omit for bodiless answers. */
  schema?: AnswerSchema<T>;
  context?: CallContext;
  /**
   * The request is for the object at `path` itself (its GET, PATCH or DELETE): only then may a 404
   * in the API family's error shape say the object is gone (code `not_found`).
   */
  object?: boolean;
  /**
   * For creates: called when the answer was lost (connection dropped, 5xx). Returns the object if
   * the create went through after all, so the request is never blindly sent twice. If it throws,
   * the request is not sent again: the error says that `what` may exist.
   */
  recover?: () => Promise<T | undefined>;
  /** What a lost answer may have made, for that error, e.g. `client application "orders"`. */
  what?: string;
  /** Sent exactly once: no retry, no token renewal, no recovery (doctor's probes). */
  once?: boolean;
}

/**
 * Builds a path from a template, encoding every parameter so ids cannot change the route. A
 * missing value (undefined, null, NaN: a field absent from state) is refused, never sent as the
 * segment "undefined" or "NaN", which the service would answer with a 404 that looks like "gone".
 */
export function path(strings: TemplateStringsArray, ...values: (string | number)[]): string {
  return strings.reduce((built, chunk, index) => {
    if (index >= values.length) return built + chunk;
    const value: unknown = values[index];
    const segment =
      typeof value === "string" || (typeof value === "number" && Number.isFinite(value))
        ? encodeURIComponent(String(value))
        : undefined;
    // encodeURIComponent keeps dots, and URL parsing resolves "." and ".." segments, so an id of
    // ".." would reach another route (as would an empty one): refuse them before any request.
    if (segment === undefined || REFUSED_SEGMENTS.has(segment)) {
      throw new AnypointError({
        code: "config",
        message: `refusing the path segment ${segment === undefined ? String(value) : `"${segment}"`} in ${strings.join("{}")}: ids are never missing, empty, "." or ".."`,
      });
    }
    return built + chunk + segment;
  }, "");
}

const REFUSED_SEGMENTS = new Set(["", ".", "..", "undefined", "null", "NaN", "Infinity", "-Infinity"]);

/** Routes are relative to the base URL: a scheme, `//host` or a backslash could send the token elsewhere. */
function checkRoute(route: string): void {
  if (!/^\/(?!\/)/.test(route) || /[\\\s]/.test(route)) {
    throw new AnypointError({
      code: "config",
      message: `refusing the route "${route.slice(0, 200)}": only paths relative to anypoint:baseUrl (starting with one "/") are sent, with the token`,
    });
  }
}

/** Largest answer read from Anypoint; the biggest page (250 applications) is far below it. */
export const MAX_RESPONSE_BYTES = 4 * 1024 * 1024;

// A 404 proves an object gone only in its API family's error shape (docs/anypoint.md section 6).
const exchangeNotFound = z.object({
  status: z.literal(404),
  message: z.string(),
  details: z.looseObject({}),
});
const managerNotFound = z.object({ error: z.literal("Not Found"), message: z.string() });

function isGoneAnswer(route: string, response: AxiosResponse<unknown>): boolean {
  const type = String(response.headers?.["content-type"] ?? "");
  if (!/[/+]json\b/i.test(type)) return false;
  if (route.startsWith("/apimanager/")) return managerNotFound.safeParse(response.data).success;
  if (route.startsWith("/exchange/") || route.startsWith("/apiplatform/"))
    return exchangeNotFound.safeParse(response.data).success;
  return false;
}

const BASE_URL_HINT =
  "This is not proof that anything was deleted. Check anypoint:baseUrl (ANYPOINT_BASE_URL): it must be the control plane's root, " +
  "such as https://anypoint.mulesoft.com or https://eu1.anypoint.mulesoft.com, with no path (not a page copied from the browser, such as .../home)";

const SECRET_FIELDS = new Set(["clientSecret", "client_secret", "access_token", "refresh_token", "password"]);
const RETRYABLE_STATUS = new Set([429, 500, 502, 503, 504]);
const RETIRED_V1 = /^\/exchange\/api\/v1\/organizations\/([^/]+)\/environments\/([^/]+)\/apis/;
const TOKEN_PATH = "/accounts/api/v2/oauth2/token";
/** Renew this long before expiry, or at half the lifetime for short-lived tokens. */
const RENEW_BEFORE_EXPIRY_MS = 5 * 60_000;

/** A counting semaphore: at most `limit` requests in flight. */
class Limiter {
  private active = 0;
  private readonly waiting: (() => void)[] = [];
  constructor(private readonly limit: number) {}

  async run<T>(task: () => Promise<T>): Promise<T> {
    if (this.active >= this.limit) await new Promise<void>((resolve) => this.waiting.push(resolve));
    this.active++;
    try {
      return await task();
    } finally {
      this.active--;
      this.waiting.shift()?.();
    }
  }
}

/**
 * HTTP for the client: one token per process shared by concurrent calls, a concurrency limit,
 * retries with backoff for throttling and server errors, and errors that never carry a secret.
 */
export class HttpCore {
  private readonly http: AxiosInstance;
  private readonly limiter: Limiter;
  private token?: { value: string; renewAt: number };
  private pendingToken?: Promise<string>;
  private readonly secrets = new Set<string>();
  /** Applications these credentials created in this process: a 403 hint on them can say so. */
  private readonly createdApplications = new Set<number>();
  tokenRequestCount = 0;

  constructor(private readonly config: ClientConfig) {
    this.http = axios.create({
      baseURL: config.baseUrl,
      timeout: config.timeoutMs,
      maxRedirects: 0,
      maxContentLength: MAX_RESPONSE_BYTES,
      // A proxy (HTTP_PROXY, HTTPS_PROXY; NO_PROXY is honoured) never sees loopback traffic: it
      // would carry the client secret of the token request in plain http.
      ...(isLoopback(new URL(config.baseUrl).hostname) ? { proxy: false as const } : {}),
      validateStatus: () => true,
      headers: { Accept: "application/json", "User-Agent": "pulumi-anypoint" },
    });
    this.limiter = new Limiter(config.maxConcurrency);
    const credentials = config.credentials;
    if (credentials.kind === "bearer") this.secrets.add(credentials.accessToken);
    else this.secrets.add(credentials.clientSecret);
    if (credentials.kind === "password") this.secrets.add(credentials.password);
  }

  async request<T>(spec: RequestSpec<T>): Promise<T> {
    const result = await this.exchange(spec);
    const id = (result as { id?: unknown } | undefined)?.id;
    if (spec.operation === "createApplication" && typeof id === "number") this.createdApplications.add(id);
    return result;
  }

  private async exchange<T>(spec: RequestSpec<T>): Promise<T> {
    checkRoute(spec.path);
    const started = Date.now();
    let renewedAfter401 = false;
    for (let attempt = 1; ; attempt++) {
      const token = await this.accessToken();
      let response: AxiosResponse<unknown>;
      try {
        response = await this.limiter.run(() => this.send(spec, token));
      } catch (networkError) {
        const failure = this.networkError(spec, networkError);
        if (spec.once || failure.code !== "network") throw failure;
        if (spec.recover) {
          const found = await this.tryRecover(spec, failure);
          if (found !== undefined) return found;
        }
        await this.backoffOrThrow(spec, attempt, started, undefined, failure);
        continue;
      }

      const status = response.status;
      if (status >= 200 && status < 300) return this.parse(spec, response);
      if (status === 401 && !renewedAfter401 && !spec.once && this.config.credentials.kind !== "bearer") {
        // An expired or revoked token: renew once, then give up.
        renewedAfter401 = true;
        this.dropToken(token);
        attempt--;
        continue;
      }
      const failure = this.statusError(spec, response);
      if (!RETRYABLE_STATUS.has(status) || spec.once) throw failure;
      if (spec.recover && status !== 429) {
        const found = await this.tryRecover(spec, failure);
        if (found !== undefined) return found;
      }
      await this.backoffOrThrow(spec, attempt, started, response, failure);
    }
  }

  /** The bearer token, fetched once and shared by every concurrent call (one request in flight). */
  async accessToken(): Promise<string> {
    const credentials = this.config.credentials;
    if (credentials.kind === "bearer") return credentials.accessToken;
    if (this.token && Date.now() < this.token.renewAt) return this.token.value;
    this.pendingToken ??= this.fetchToken().finally(() => {
      this.pendingToken = undefined;
    });
    return this.pendingToken;
  }

  private dropToken(value: string): void {
    if (this.token?.value === value) this.token = undefined;
  }

  private async fetchToken(): Promise<string> {
    const credentials = this.config.credentials;
    if (credentials.kind === "bearer") return credentials.accessToken;
    const body: Record<string, string> =
      credentials.kind === "password"
        ? {
            grant_type: "password",
            username: credentials.username,
            password: credentials.password,
            client_id: credentials.clientId,
            client_secret: credentials.clientSecret,
          }
        : {
            grant_type: "client_credentials",
            client_id: credentials.clientId,
            client_secret: credentials.clientSecret,
          };
    const started = Date.now();
    for (let attempt = 1; ; attempt++) {
      this.tokenRequestCount++;
      let response: AxiosResponse<unknown>;
      try {
        response = await this.limiter.run(() =>
          this.transmit({
            method: "POST",
            url: TOKEN_PATH,
            data: new URLSearchParams(body).toString(),
            headers: { "Content-Type": "application/x-www-form-urlencoded" },
          }),
        );
      } catch (networkError) {
        const spec = { operation: "token", method: "POST", path: TOKEN_PATH } as const;
        const failure = this.networkError(spec, networkError);
        if (failure.code !== "network") throw failure;
        await this.backoffOrThrow(spec, attempt, started, undefined, failure);
        continue;
      }
      this.log("POST", TOKEN_PATH, response.status, started);
      if (response.status >= 200 && response.status < 300) {
        const parsed = tokenResponse.safeParse(response.data);
        if (!parsed.success)
          throw new AnypointError({
            code: "validation",
            method: "POST",
            path: TOKEN_PATH,
            status: response.status,
            message: "the token endpoint answered without an access_token",
          });
        this.secrets.add(parsed.data.access_token);
        const lifetimeMs = (parsed.data.expires_in ?? 3600) * 1000;
        this.token = {
          value: parsed.data.access_token,
          renewAt: Date.now() + lifetimeMs - Math.min(RENEW_BEFORE_EXPIRY_MS, lifetimeMs / 2),
        };
        return parsed.data.access_token;
      }
      const spec = { operation: "token", method: "POST", path: TOKEN_PATH } as const;
      if (RETRYABLE_STATUS.has(response.status)) {
        await this.backoffOrThrow(spec, attempt, started, response, this.statusError(spec, response));
        continue;
      }
      throw this.tokenError(response);
    }
  }

  private tokenError(response: AxiosResponse<unknown>): AnypointError {
    const serviceMessage = this.serviceMessage(response.data);
    const password = this.config.credentials.kind === "password";
    const mfa = /mfa|multi.?factor|two.?factor/i.test(serviceMessage ?? "");
    let hint: string;
    if (password && mfa) {
      hint =
        "The password grant cannot be used by a user with multi-factor authentication, which Anypoint has required since August 2023. " +
        "Use a connected app that acts on its own behalf (client credentials): set anypoint:clientId and anypoint:clientSecret and remove anypoint:username and anypoint:password";
    } else if (password) {
      hint =
        "Check the username and password and the connected app's client id and secret. The password grant is a legacy fallback that fails for users with MFA; " +
        "prefer a connected app with client credentials";
    } else {
      hint =
        "Check the connected app's client id and secret (Access Management > Connected Apps), and that the app uses the client credentials grant";
    }
    if (response.status === 404) {
      return new AnypointError({
        code: "unexpected_404",
        method: "POST",
        path: TOKEN_PATH,
        status: 404,
        serviceMessage,
        message: "the token endpoint was not found",
        hint: BASE_URL_HINT,
      });
    }
    return new AnypointError({
      code: response.status === 401 || response.status === 400 ? "unauthorized" : codeFor(response.status),
      method: "POST",
      path: TOKEN_PATH,
      status: response.status,
      serviceMessage,
      message: "Anypoint refused the credentials",
      hint,
    });
  }

  /**
   * One HTTP exchange under a total deadline (the axios timeout only limits idle time, so a
   * server trickling bytes could hold a call for ever) and a size cap on the answer.
   */
  private async transmit(request: AxiosRequestConfig): Promise<AxiosResponse<unknown>> {
    const deadline = new AbortController();
    const timer = setTimeout(() => deadline.abort(), this.config.timeoutMs);
    const where = { method: String(request.method ?? "GET").toUpperCase(), path: String(request.url) };
    try {
      return await this.http.request({ ...request, signal: deadline.signal });
    } catch (error) {
      if (deadline.signal.aborted) {
        throw new AnypointError({
          code: "network",
          ...where,
          message: `Anypoint did not answer completely within ${this.config.timeoutMs} ms`,
          hint: `Check that ${this.config.baseUrl} is reachable and answers promptly`,
        });
      }
      if (error instanceof Error && /maxContentLength/.test(error.message)) {
        throw new AnypointError({
          code: "server",
          ...where,
          message: `Anypoint's answer exceeded ${MAX_RESPONSE_BYTES / (1024 * 1024)} MiB and was refused`,
          hint: `No Anypoint answer this client reads is that large: check that anypoint:baseUrl (${this.config.baseUrl}) is Anypoint's control plane`,
        });
      }
      throw error;
    } finally {
      clearTimeout(timer);
    }
  }

  private async send(spec: RequestSpec<unknown>, token: string): Promise<AxiosResponse<unknown>> {
    const started = Date.now();
    const response = await this.transmit({
      method: spec.method,
      url: spec.path,
      params: spec.query
        ? Object.fromEntries(Object.entries(spec.query).filter(([, v]) => v !== undefined))
        : undefined,
      data: spec.body,
      headers: {
        Authorization: `Bearer ${token}`,
        ...(spec.body !== undefined ? { "Content-Type": "application/json" } : {}),
      },
    });
    this.log(spec.method, spec.path, response.status, started);
    return response;
  }

  private parse<T>(spec: RequestSpec<T>, response: AxiosResponse<unknown>): T {
    if (!spec.schema) return undefined as T;
    this.rememberSecrets(response.data);
    const parsed = spec.schema.safeParse(response.data);
    if (parsed.success) return parsed.data;
    // Name the fields, never the values: answers carry client secrets.
    const fields = parsed.error.issues
      .slice(0, 5)
      .map((issue) => `${issue.path.join(".") || "(body)"}: ${issue.message}`);
    throw new AnypointError({
      code: "validation",
      method: spec.method,
      path: spec.path,
      status: response.status,
      message: "Anypoint answered in an unexpected shape",
      hint: `${fields.join("; ")}. The API may have changed; please report it`,
    });
  }

  /**
   * After a lost answer: the object the request made, or undefined when it was not made (so the
   * request may be sent again). When the lookup fails the outcome is unknown, and sending again
   * could leave an object no stack tracks: stop with an error that says how to resolve it.
   */
  private async tryRecover<T>(spec: RequestSpec<T>, failure: AnypointError): Promise<T | undefined> {
    try {
      return await spec.recover!();
    } catch (lookup) {
      const what = spec.what ?? "the object";
      throw new AnypointError({
        code: "unknown_outcome",
        method: failure.method,
        path: failure.path,
        status: failure.status,
        serviceMessage: failure.serviceMessage,
        message: `the answer was lost, and looking for ${what} afterwards failed (${lookup instanceof AnypointError ? lookup.summary : lookup instanceof Error ? lookup.message : String(lookup)}): it may exist now`,
        hint: `Not sent again, so that no second copy is made: find out whether ${what} exists before trying again`,
      });
    }
  }

  private async backoffOrThrow(
    spec: Pick<RequestSpec<unknown>, "method" | "path">,
    attempt: number,
    started: number,
    response: AxiosResponse<unknown> | undefined,
    failure: AnypointError,
  ): Promise<void> {
    const delay = retryDelay(attempt, response, Date.now(), {
      baseMs: this.config.retryBaseDelayMs,
      maxMs: this.config.retryMaxDelayMs,
    });
    if (attempt >= this.config.maxAttempts || Date.now() - started + delay > this.config.maxRetryTimeMs) {
      throw new AnypointError({
        code: failure.code,
        method: failure.method,
        path: failure.path,
        status: failure.status,
        serviceMessage: failure.serviceMessage,
        message:
          failure.code === "network"
            ? `Anypoint could not be reached after ${attempt} attempt(s): ${failure.summary}`
            : `Anypoint kept failing after ${attempt} attempt(s)`,
        hint:
          failure.hint ??
          "Anypoint throttles bursts (429) and may answer 5xx under load; lower anypoint:maxConcurrency or run again later",
      });
    }
    this.config.logger?.(
      this.redact(`retrying ${spec.method} ${spec.path} in ${delay} ms (attempt ${attempt + 1})`),
    );
    await new Promise((resolve) => setTimeout(resolve, delay));
  }

  private networkError(spec: Pick<RequestSpec<unknown>, "method" | "path">, error: unknown): AnypointError {
    if (error instanceof AnypointError) return error;
    const code =
      typeof error === "object" && error !== null && "code" in error
        ? String((error as { code: unknown }).code)
        : "";
    return new AnypointError({
      code: "network",
      method: spec.method,
      path: spec.path,
      message: `the request to Anypoint failed before an answer${code ? ` (${code})` : ""}`,
      hint: `Check that ${this.config.baseUrl} is reachable`,
    });
  }

  private statusError(
    spec:
      RequestSpec<unknown> | { operation: Operation; method: string; path: string; context?: CallContext },
    response: AxiosResponse<unknown>,
  ): AnypointError {
    const status = response.status;
    const serviceMessage = this.serviceMessage(response.data);
    const base = { method: spec.method, path: spec.path, status, serviceMessage, code: codeFor(status) };
    switch (status) {
      case 401:
        return new AnypointError({
          ...base,
          message: "Anypoint did not accept the token",
          hint: "The token is missing, invalid or expired; with anypoint:accessToken, get a new one (tokens live one hour), or use a connected app",
        });
      case 403:
        return new AnypointError({
          ...base,
          message: "Anypoint refused the call (403)",
          hint: forbiddenHint(spec.operation, this.withCreator(spec.context)),
        });
      case 404: {
        const retired = RETIRED_V1.exec(spec.path);
        if (retired) {
          return new AnypointError({
            ...base,
            message: "this Exchange v1 endpoint was retired",
            hint: `Use GET /apimanager/api/v1/organizations/${retired[1]}/environments/${retired[2]}/apis (API Manager) to list API instances`,
          });
        }
        if ("object" in spec && spec.object && isGoneAnswer(spec.path, response)) {
          return new AnypointError({ ...base, code: "not_found", message: "not found" });
        }
        return new AnypointError({
          ...base,
          message: "Anypoint answered 404 where something was expected",
          hint: BASE_URL_HINT,
        });
      }
      case 409:
        return new AnypointError({ ...base, message: "conflict" });
      case 429:
        return new AnypointError({ ...base, message: "throttled by Anypoint" });
      default:
        return new AnypointError({
          ...base,
          message: status >= 500 ? "Anypoint failed" : "Anypoint refused the request",
        });
    }
  }

  private withCreator(context: CallContext = {}): CallContext {
    const created =
      context.applicationId !== undefined && this.createdApplications.has(context.applicationId);
    return created ? { ...context, createdByCaller: true } : context;
  }

  /** The service's own message, with anything that looks like one of our secrets removed. */
  private serviceMessage(data: unknown): string | undefined {
    const parsed = errorBody.safeParse(data);
    let message: string | undefined;
    if (parsed.success) {
      const body = parsed.data;
      message =
        body.message ??
        body.error_description ??
        body.errors
          ?.map((error) => error.message)
          .filter(Boolean)
          .join("; ") ??
        (typeof body.error === "string" ? body.error : undefined);
    } else if (typeof data === "string" && data.length < 500) {
      message = data;
    }
    return message === undefined ? undefined : this.redact(message);
  }

  /** Client secrets in answers (applications, contracts) are secrets too: keep them out of errors and logs. */
  private rememberSecrets(data: unknown, depth = 0): void {
    if (depth > 4 || typeof data !== "object" || data === null) return;
    if (Array.isArray(data)) {
      for (const item of data) this.rememberSecrets(item, depth + 1);
      return;
    }
    for (const [key, value] of Object.entries(data)) {
      if (typeof value === "string" && SECRET_FIELDS.has(key)) this.secrets.add(value);
      else if (typeof value === "object") this.rememberSecrets(value, depth + 1);
    }
  }

  redact(text: string): string {
    let result = text;
    for (const secret of this.secrets) if (secret.length >= 6) result = result.split(secret).join("***");
    return result;
  }

  private log(method: string, route: string, status: number, started: number): void {
    this.config.logger?.(this.redact(`${method} ${route} -> ${status} (${Date.now() - started} ms)`));
  }
}

/**
 * Retry-After, else X-RateLimit-Reset, else exponential backoff with jitter: attempt n waits
 * between half and all of min(maxMs, baseMs * 2^(n-1)) (250 ms .. 4 s by default).
 */
export function retryDelay(
  attempt: number,
  response?: { headers: Record<string, unknown> },
  now = Date.now(),
  backoff: { baseMs?: number; maxMs?: number } = {},
): number {
  const headers = response?.headers ?? {};
  const retryAfter = headerValue(headers, "retry-after");
  if (retryAfter !== undefined) {
    const seconds = Number(retryAfter);
    if (Number.isFinite(seconds)) return clampDelay(seconds * 1000);
    const date = Date.parse(retryAfter);
    if (Number.isFinite(date)) return clampDelay(date - now);
  }
  const reset = Number(headerValue(headers, "x-ratelimit-reset"));
  if (Number.isFinite(reset) && reset > 0) {
    // Epoch seconds per the spec; tolerate a seconds-from-now value too.
    const millis = reset > 1e9 ? reset * 1000 - now : reset * 1000;
    return clampDelay(millis);
  }
  const ceiling = Math.min(backoff.maxMs ?? 4000, (backoff.baseMs ?? 250) * 2 ** (attempt - 1));
  return Math.round(ceiling / 2 + Math.random() * (ceiling / 2));
}

function clampDelay(millis: number): number {
  return Math.max(100, Math.min(30_000, Math.round(millis)));
}

function headerValue(headers: Record<string, unknown>, name: string): string | undefined {
  const value = headers[name] ?? headers[name.toLowerCase()];
  return value === undefined || value === null ? undefined : String(value);
}

function codeFor(status: number): ErrorCode {
  if (status === 400 || status === 422) return "bad_request";
  if (status === 401) return "unauthorized";
  if (status === 403) return "forbidden";
  // A 404 says "gone" only for the object's own path: statusError decides that, never the status alone.
  if (status === 404) return "unexpected_404";
  if (status === 409) return "conflict";
  if (status === 429) return "rate_limited";
  return status >= 500 ? "server" : "bad_request";
}
