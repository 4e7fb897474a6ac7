import axios, { type AxiosInstance, type AxiosResponse } from "axios";
import type { z } from "zod";
import type { ClientConfig } from "./config";
import { AnypointError, type ErrorCode } from "./errors";
import { errorBody, tokenResponse } from "./schemas";
import { type CallContext, forbiddenHint, type Operation } from "./scopes";

export interface RequestSpec<S extends z.ZodType> {
  operation: Operation;
  method: "GET" | "POST" | "PATCH" | "DELETE";
  /** Already encoded: build it with `path` below. */
  path: string;
  query?: Record<string, string | number | boolean | undefined>;
  body?: unknown;
  /** Validates the answer; omit for bodiless answers. */
  schema?: S;
  context?: CallContext;
  /**
   * For creates: called when the answer was lost (connection dropped, 5xx). Returns the object if
   * the create went through after all, so the request is never blindly sent twice.
   */
  recover?: () => Promise<z.infer<S> | undefined>;
}

/** Builds a path from a template, encoding every parameter so ids cannot change the route. */
export function path(strings: TemplateStringsArray, ...values: (string | number)[]): string {
  return strings.reduce((built, chunk, index) => {
    if (index >= values.length) return built + chunk;
    const segment = encodeURIComponent(String(values[index]));
    // encodeURIComponent keeps dots, and URL parsing resolves "." and ".." segments, so an id of
    // ".." would reach another route (as would an empty one): refuse them before any request.
    if (segment === "" || segment === "." || segment === "..") {
      throw new AnypointError({
        code: "config",
        message: `refusing the path segment "${segment}" in ${strings.join("{}")}: ids are never empty, "." or ".."`,
      });
    }
    return built + chunk + segment;
  }, "");
}

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
  tokenRequestCount = 0;

  constructor(private readonly config: ClientConfig) {
    this.http = axios.create({
      baseURL: config.baseUrl,
      timeout: config.timeoutMs,
      maxRedirects: 0,
      validateStatus: () => true,
      headers: { Accept: "application/json", "User-Agent": "pulumi-anypoint" },
    });
    this.limiter = new Limiter(config.maxConcurrency);
    const credentials = config.credentials;
    if (credentials.kind === "bearer") this.secrets.add(credentials.accessToken);
    else this.secrets.add(credentials.clientSecret);
    if (credentials.kind === "password") this.secrets.add(credentials.password);
  }

  async request<S extends z.ZodType>(spec: RequestSpec<S>): Promise<z.infer<S>> {
    const started = Date.now();
    let renewedAfter401 = false;
    for (let attempt = 1; ; attempt++) {
      const token = await this.accessToken();
      let response: AxiosResponse<unknown>;
      try {
        response = await this.limiter.run(() => this.send(spec, token));
      } catch (networkError) {
        const failure = this.networkError(spec, networkError);
        if (spec.recover) {
          const found = await this.tryRecover(spec);
          if (found !== undefined) return found;
        }
        await this.backoffOrThrow(spec, attempt, started, undefined, failure);
        continue;
      }

      const status = response.status;
      if (status >= 200 && status < 300) return this.parse(spec, response);
      if (status === 401 && !renewedAfter401 && this.config.credentials.kind !== "bearer") {
        // An expired or revoked token: renew once, then give up.
        renewedAfter401 = true;
        this.dropToken(token);
        attempt--;
        continue;
      }
      const failure = this.statusError(spec, response);
      if (!RETRYABLE_STATUS.has(status)) throw failure;
      if (spec.recover && status !== 429) {
        const found = await this.tryRecover(spec);
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
          this.http.post(TOKEN_PATH, new URLSearchParams(body).toString(), {
            headers: { "Content-Type": "application/x-www-form-urlencoded" },
          }),
        );
      } catch (networkError) {
        const spec = { operation: "token", method: "POST", path: TOKEN_PATH } as const;
        await this.backoffOrThrow(spec, attempt, started, undefined, this.networkError(spec, networkError));
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

  private async send(spec: RequestSpec<z.ZodType>, token: string): Promise<AxiosResponse<unknown>> {
    const started = Date.now();
    const response = await this.http.request({
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

  private parse<S extends z.ZodType>(spec: RequestSpec<S>, response: AxiosResponse<unknown>): z.infer<S> {
    if (!spec.schema) return undefined as z.infer<S>;
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

  private async tryRecover<S extends z.ZodType>(spec: RequestSpec<S>): Promise<z.infer<S> | undefined> {
    try {
      return await spec.recover!();
    } catch {
      // The lookup failed too: fall through to the retry decision of the original failure.
      return undefined;
    }
  }

  private async backoffOrThrow(
    spec: Pick<RequestSpec<z.ZodType>, "method" | "path">,
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
        message: `${failure.code === "network" ? "Anypoint could not be reached" : "Anypoint kept failing"} after ${attempt} attempt(s)`,
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

  private networkError(spec: Pick<RequestSpec<z.ZodType>, "method" | "path">, error: unknown): AnypointError {
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
      RequestSpec<z.ZodType> | { operation: Operation; method: string; path: string; context?: CallContext },
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
          hint: forbiddenHint(spec.operation, spec.context ?? {}),
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
        return new AnypointError({ ...base, message: "not found" });
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
  if (status === 404) return "not_found";
  if (status === 409) return "conflict";
  if (status === 429) return "rate_limited";
  return status >= 500 ? "server" : "bad_request";
}
