import axios, { type AxiosInstance, type AxiosRequestConfig, type AxiosResponse } from "axios";
import { type ClientConfig, isLoopback } from "./config";
import { AnypointError } from "./errors";
import { Redactor } from "./redaction";
import {
  type AttemptOutcome,
  done,
  isRetryableFailure,
  isRetryableStatus,
  type RetriedCall,
  retryable,
  RetryPolicy,
} from "./retryPolicy";
import { type CallContext, type Operation } from "./scopes";
import { type MappingOptions, statusError, tokenRefusedError } from "./statusErrors";
import { type GrantRequest, type IssuedToken, issuedTokenFrom, TOKEN_PATH, TokenSource } from "./tokenSource";

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

/** The answer of one exchange, or the failure before any answer when another try may follow. */
type Sent = { kind: "answered"; response: AxiosResponse<unknown> } | { kind: "lost"; failure: AnypointError };

const TOKEN_CALL = { operation: "token", method: "POST", path: TOKEN_PATH } as const;

function isSuccess(status: number): boolean {
  return status >= 200 && status < 300;
}

/**
 * HTTP for the client, composed of its units: the token source (one token per process shared by
 * concurrent calls), the retry policy (one for requests and the token request alike), the
 * status-to-error mapping and the redaction of secrets; here, the concurrency limit, the transport
 * and what a request adds to them (token renewal on 401, recovery of a create's lost answer).
 */
export class HttpCore {
  private readonly http: AxiosInstance;
  private readonly limiter: Limiter;
  private readonly redactor: Redactor;
  private readonly retries: RetryPolicy;
  private readonly tokens: TokenSource;
  private readonly mapping: MappingOptions;
  /** Applications these credentials created in this process: a 403 hint on them can say so. */
  private readonly createdApplications = new Set<number>();
  tokenRequestCount = 0;

  constructor(private readonly config: ClientConfig) {
    this.http = createTransport(config);
    this.limiter = new Limiter(config.maxConcurrency);
    this.redactor = Redactor.forCredentials(config.credentials);
    this.mapping = { redact: this.redactor.redact };
    this.retries = new RetryPolicy(config, { log: (line) => this.log(line) });
    this.tokens = new TokenSource({
      credentials: config.credentials,
      requestToken: (request) => this.requestToken(request),
    });
  }

  async request<T>(spec: RequestSpec<T>): Promise<T> {
    checkRoute(spec.path);
    const renewal = { used: false };
    const result = await this.retries.run(spec, () => this.attempt(spec, renewal));
    const id = (result as { id?: unknown } | undefined)?.id;
    if (spec.operation === "createApplication" && typeof id === "number") this.createdApplications.add(id);
    return result;
  }

  /** The bearer token, fetched once and shared by every concurrent call (one request in flight). */
  accessToken(): Promise<string> {
    return this.tokens.accessToken();
  }

  redact(text: string): string {
    return this.redactor.redact(text);
  }

  /**
   * One try of a request. A 401 renews the token once per request and sends again within the
   * same try: a client must refresh its token once on 401 (docs/anypoint.md section 1).
   */
  private async attempt<T>(spec: RequestSpec<T>, renewal: { used: boolean }): Promise<AttemptOutcome<T>> {
    const token = await this.tokens.accessToken();
    const sent = await this.send(spec, token);
    if (sent.kind === "lost") return this.retryOrRecover(spec, { failure: sent.failure });
    const response = sent.response;
    if (isSuccess(response.status)) return done(this.parse(spec, response));
    if (response.status === 401 && this.mayRenewToken(spec, renewal)) {
      renewal.used = true;
      this.tokens.invalidate(token);
      return this.attempt(spec, renewal);
    }
    const failure = statusError({ ...spec, context: this.withCreator(spec.context) }, response, this.mapping);
    if (!isRetryableStatus(response.status)) throw failure;
    return this.retryOrRecover(spec, { failure, response });
  }

  private mayRenewToken(spec: RequestSpec<unknown>, renewal: { used: boolean }): boolean {
    return !renewal.used && !spec.once && this.tokens.renewable;
  }

  /**
   * A failure worth another try. Not for a request sent once only; for a create, first look
   * whether its lost answer made the object after all (a 429 was refused before anything was made).
   */
  private async retryOrRecover<T>(
    spec: RequestSpec<T>,
    lost: { failure: AnypointError; response?: AxiosResponse<unknown> },
  ): Promise<AttemptOutcome<T>> {
    if (spec.once) throw lost.failure;
    if (spec.recover && lost.response?.status !== 429) {
      const found = await this.tryRecover(spec, lost.failure);
      if (found !== undefined) return done(found);
    }
    return retryable(lost.failure, lost.response?.headers);
  }

  /** A token for the grant, under the same retry policy as every request. */
  private requestToken(request: GrantRequest): Promise<IssuedToken> {
    return this.retries.run(TOKEN_CALL, () => this.tokenAttempt(request));
  }

  private async tokenAttempt({ grant, form }: GrantRequest): Promise<AttemptOutcome<IssuedToken>> {
    this.tokenRequestCount++;
    const sent = await this.exchange(TOKEN_CALL, {
      method: "POST",
      url: TOKEN_PATH,
      data: form,
      headers: { "Content-Type": "application/x-www-form-urlencoded" },
    });
    if (sent.kind === "lost") return retryable(sent.failure);
    const response = sent.response;
    if (isSuccess(response.status)) {
      const issued = issuedTokenFrom(response);
      this.redactor.remember(issued.value);
      return done(issued);
    }
    if (isRetryableStatus(response.status)) {
      return retryable(statusError(TOKEN_CALL, response, this.mapping), response.headers);
    }
    throw tokenRefusedError(response, {
      ...this.mapping,
      grant,
      path: TOKEN_PATH,
    });
  }

  private send(spec: RequestSpec<unknown>, token: string): Promise<Sent> {
    return this.exchange(spec, {
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
  }

  /** One exchange under the concurrency limit, logged. A failure that no retry can help is thrown. */
  private async exchange(call: RetriedCall, request: AxiosRequestConfig): Promise<Sent> {
    try {
      return { kind: "answered", response: await this.limiter.run(() => this.transmitLogged(call, request)) };
    } catch (error) {
      const failure = this.networkError(call, error);
      if (!isRetryableFailure(failure)) throw failure;
      return { kind: "lost", failure };
    }
  }

  private async transmitLogged(
    call: RetriedCall,
    request: AxiosRequestConfig,
  ): Promise<AxiosResponse<unknown>> {
    const started = Date.now();
    const response = await this.transmit(request);
    this.log(`${call.method} ${call.path} -> ${response.status} (${Date.now() - started} ms)`);
    return response;
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

  private parse<T>(spec: RequestSpec<T>, response: AxiosResponse<unknown>): T {
    if (!spec.schema) return undefined as T;
    this.redactor.rememberSecretsIn(response.data);
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

  private networkError(call: RetriedCall, error: unknown): AnypointError {
    if (error instanceof AnypointError) return error;
    const code =
      typeof error === "object" && error !== null && "code" in error
        ? String((error as { code: unknown }).code)
        : "";
    return new AnypointError({
      code: "network",
      method: call.method,
      path: call.path,
      message: `the request to Anypoint failed before an answer${code ? ` (${code})` : ""}`,
      hint: `Check that ${this.config.baseUrl} is reachable`,
    });
  }

  private withCreator(context: CallContext = {}): CallContext {
    const created =
      context.applicationId !== undefined && this.createdApplications.has(context.applicationId);
    return created ? { ...context, createdByCaller: true } : context;
  }

  /** Every line goes through the redaction: secrets never reach the logger. */
  private log(line: string): void {
    this.config.logger?.(this.redactor.redact(line));
  }
}

/**
 * The axios instance: no redirects (the token would follow them), every status answered as a
 * value, a size cap on answers, and no proxy for loopback.
 */
function createTransport(config: ClientConfig): AxiosInstance {
  return axios.create({
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
}
