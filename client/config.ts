import { AnypointError } from "./errors";

/** What a caller may set; every field falls back to an environment variable, then a default. */
export interface ClientOptions {
  baseUrl?: string;
  clientId?: string;
  clientSecret?: string;
  username?: string;
  password?: string;
  accessToken?: string;
  organizationId?: string;
  /** Concurrent requests at most (default 8). */
  maxConcurrency?: number;
  /** Tries per request, the first included (default 5). */
  maxAttempts?: number;
  /** Time budget for the retries of one request (default 60 s). */
  maxRetryTimeMs?: number;
  /** Timeout of one HTTP exchange (default 30 s). */
  timeoutMs?: number;
  /** First backoff step when the service gives no Retry-After or X-RateLimit-Reset (default 250 ms). */
  retryBaseDelayMs?: number;
  /** Largest backoff step without a Retry-After or X-RateLimit-Reset (default 4 s). */
  retryMaxDelayMs?: number;
  /** Receives one line per request; secrets are never in it. */
  logger?: (line: string) => void;
}

export type Credentials =
  | { kind: "clientCredentials"; clientId: string; clientSecret: string }
  | { kind: "password"; clientId: string; clientSecret: string; username: string; password: string }
  | { kind: "bearer"; accessToken: string };

export interface ClientConfig {
  baseUrl: string;
  credentials: Credentials;
  organizationId?: string;
  maxConcurrency: number;
  maxAttempts: number;
  maxRetryTimeMs: number;
  timeoutMs: number;
  retryBaseDelayMs?: number;
  retryMaxDelayMs?: number;
  logger?: (line: string) => void;
}

export const DEFAULT_BASE_URL = "https://anypoint.mulesoft.com";

/** The environment variables read, by option. */
export const ENVIRONMENT = {
  baseUrl: "ANYPOINT_BASE_URL",
  clientId: "ANYPOINT_CLIENT_ID",
  clientSecret: "ANYPOINT_CLIENT_SECRET",
  username: "ANYPOINT_USERNAME",
  password: "ANYPOINT_PASSWORD",
  accessToken: "ANYPOINT_ACCESS_TOKEN",
  organizationId: "ANYPOINT_ORGANIZATION_ID",
} as const;

const CREDENTIAL_KEYS = ["clientId", "clientSecret", "username", "password", "accessToken"] as const;

/**
 * Resolves the configuration with one precedence: explicit options, then environment
 * variables, then defaults (the US control plane). The kind of credentials: an access token,
 * else a username and password (password grant), else a connected app's client id and secret.
 * An access token from the environment is ignored when any credential is set explicitly.
 */
export function resolveClientConfig(
  options: ClientOptions = {},
  env: NodeJS.ProcessEnv = process.env,
): ClientConfig {
  const pick = (key: keyof typeof ENVIRONMENT): string | undefined => {
    const value = options[key] ?? env[ENVIRONMENT[key]];
    return value === undefined || value === "" ? undefined : value;
  };
  const baseUrl = normalizeBaseUrl(pick("baseUrl") ?? DEFAULT_BASE_URL);
  // Credentials set explicitly are never overridden by a token left in the environment.
  const explicitCredentials = CREDENTIAL_KEYS.some(
    (key) => options[key] !== undefined && options[key] !== "",
  );
  const accessToken =
    options.accessToken || (explicitCredentials ? undefined : env[ENVIRONMENT.accessToken] || undefined);
  const clientId = pick("clientId");
  const clientSecret = pick("clientSecret");
  const username = pick("username");
  const password = pick("password");

  let credentials: Credentials;
  if (accessToken) {
    credentials = { kind: "bearer", accessToken };
  } else if (username || password) {
    if (!username || !password || !clientId || !clientSecret) {
      throw configError(
        "the password grant needs a username, a password, and the connected app's client id and secret " +
          `(${ENVIRONMENT.username}, ${ENVIRONMENT.password}, ${ENVIRONMENT.clientId}, ${ENVIRONMENT.clientSecret}, or the anypoint:* config keys)`,
      );
    }
    credentials = { kind: "password", clientId, clientSecret, username, password };
  } else if (clientId && clientSecret) {
    credentials = { kind: "clientCredentials", clientId, clientSecret };
  } else {
    throw configError(
      "no Anypoint credentials: set a connected app's client id and secret " +
        `(anypoint:clientId and anypoint:clientSecret, or ${ENVIRONMENT.clientId} and ${ENVIRONMENT.clientSecret}), ` +
        `or an access token (anypoint:accessToken / ${ENVIRONMENT.accessToken})`,
    );
  }

  const organizationId = pick("organizationId");
  if (
    organizationId !== undefined &&
    !/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(organizationId)
  ) {
    throw configError(`the organization id "${organizationId}" is not a UUID`);
  }
  return {
    baseUrl,
    credentials,
    organizationId,
    maxConcurrency: positive(options.maxConcurrency, 8, "maxConcurrency"),
    maxAttempts: positive(options.maxAttempts, 5, "maxAttempts"),
    maxRetryTimeMs: positive(options.maxRetryTimeMs, 60_000, "maxRetryTimeMs"),
    timeoutMs: positive(options.timeoutMs, 30_000, "timeoutMs"),
    retryBaseDelayMs: positive(options.retryBaseDelayMs, 250, "retryBaseDelayMs"),
    retryMaxDelayMs: positive(options.retryMaxDelayMs, 4000, "retryMaxDelayMs"),
    logger: options.logger,
  };
}

/**
 * Accepts Anypoint's control planes over https, and plain http only on loopback (the emulator).
 * Other https hosts are accepted too (proxies, private control planes), never plain http.
 */
export function normalizeBaseUrl(raw: string): string {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw configError(`the base URL "${raw}" is not a URL; use e.g. ${DEFAULT_BASE_URL}`);
  }
  if (url.username || url.password) throw configError("the base URL must not carry credentials");
  if (url.search || url.hash) throw configError("the base URL must not have a query or fragment");
  if (url.protocol === "http:") {
    if (!isLoopback(url.hostname)) {
      throw configError(
        `refusing plain http to ${url.hostname}: credentials would travel unencrypted. Use https ` +
          `(${DEFAULT_BASE_URL}, https://eu1.anypoint.mulesoft.com, ...); http is allowed only for loopback addresses such as the emulator`,
      );
    }
  } else if (url.protocol !== "https:") {
    throw configError(`the base URL must use https, not ${url.protocol}`);
  }
  return url.toString().replace(/\/+$/, "");
}

export function isLoopback(hostname: string): boolean {
  const host = hostname.replace(/^\[|\]$/g, "");
  return host === "localhost" || host === "::1" || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host);
}

function positive(value: number | undefined, fallback: number, name: string): number {
  if (value === undefined) return fallback;
  if (!Number.isInteger(value) || value < 1)
    throw configError(`${name} must be a whole number >= 1, not ${value}`);
  return value;
}

function configError(message: string): AnypointError {
  return new AnypointError({ code: "config", message });
}
