import type { Credentials } from "./config";
import { AnypointError } from "./errors";
import { tokenResponse } from "./schemas";

/** The token endpoint (docs/anypoint.md section 1). */
export const TOKEN_PATH = "/accounts/api/v2/oauth2/token";

/** When the answer does not say: tokens live one hour (docs/anypoint.md section 1). */
const DEFAULT_LIFETIME_SECONDS = 3600;

/** Renew this long before expiry, or at half the lifetime for short-lived tokens. */
const RENEW_BEFORE_EXPIRY_MS = 5 * 60_000;

/** Credentials that are exchanged for a token; a bearer token is used as it is. */
export type GrantCredentials = Exclude<Credentials, { kind: "bearer" }>;

/** What the token endpoint is sent: the grant, and its form body. */
export interface GrantRequest {
  grant: GrantCredentials["kind"];
  form: string;
}

export interface IssuedToken {
  value: string;
  lifetimeMs: number;
}

/**
 * The form body of the token request (docs/anypoint.md section 1): client credentials for a
 * connected app acting on its own behalf, else the legacy password grant.
 */
export function grantForm(credentials: GrantCredentials): string {
  const fields: Record<string, string> =
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
  return new URLSearchParams(fields).toString();
}

/** The token in a successful answer of the token endpoint; an answer without one is refused. */
export function issuedTokenFrom(answer: { status: number; data: unknown }): IssuedToken {
  const parsed = tokenResponse.safeParse(answer.data);
  if (!parsed.success) {
    throw new AnypointError({
      code: "validation",
      method: "POST",
      path: TOKEN_PATH,
      status: answer.status,
      message: "the token endpoint answered without an access_token",
    });
  }
  return {
    value: parsed.data.access_token,
    lifetimeMs: (parsed.data.expires_in ?? DEFAULT_LIFETIME_SECONDS) * 1000,
  };
}

/** When a token issued at `issuedAt` should be replaced, so that no call meets it expired. */
export function renewalTime(issuedAt: number, lifetimeMs: number): number {
  return issuedAt + lifetimeMs - Math.min(RENEW_BEFORE_EXPIRY_MS, lifetimeMs / 2);
}

export interface TokenSourceOptions {
  credentials: Credentials;
  /** Sends the grant to the token endpoint; retries and error mapping are the caller's. */
  requestToken: (request: GrantRequest) => Promise<IssuedToken>;
  now?: () => number;
}

/**
 * The bearer token of one client: fetched once and shared by every concurrent call (one token
 * request in flight at a time), kept until shortly before it expires, dropped when refused.
 */
export class TokenSource {
  private cached?: { value: string; renewAt: number };
  private pending?: Promise<string>;
  private readonly now: () => number;

  constructor(private readonly options: TokenSourceOptions) {
    this.now = options.now ?? Date.now;
  }

  /** False for a bearer token: nothing can renew it (docs/anypoint.md section 1). */
  get renewable(): boolean {
    return this.options.credentials.kind !== "bearer";
  }

  async accessToken(): Promise<string> {
    const credentials = this.options.credentials;
    if (credentials.kind === "bearer") return credentials.accessToken;
    if (this.cached && this.now() < this.cached.renewAt) return this.cached.value;
    this.pending ??= this.fetch(credentials).finally(() => {
      this.pending = undefined;
    });
    return this.pending;
  }

  /** Forgets `token` after Anypoint refused it, unless it was already replaced by a newer one. */
  invalidate(token: string): void {
    if (this.cached?.value === token) this.cached = undefined;
  }

  private async fetch(credentials: GrantCredentials): Promise<string> {
    const issued = await this.options.requestToken({
      grant: credentials.kind,
      form: grantForm(credentials),
    });
    this.cached = { value: issued.value, renewAt: renewalTime(this.now(), issued.lifetimeMs) };
    return issued.value;
  }
}
