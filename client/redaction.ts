import type { Credentials } from "./config";

/** Removes every secret a client knows of from a text: for error messages and log lines. */
export type Redact = (text: string) => string;

/** What replaces a secret in a text. */
export const REDACTED = "***";

/** Fields of Anypoint's answers that hold secrets: client secrets of applications and contracts, tokens. */
const SECRET_FIELDS = new Set(["clientSecret", "client_secret", "access_token", "refresh_token", "password"]);

/** Shorter values are not replaced: they would mangle ordinary words and prove nothing. */
const MIN_SECRET_LENGTH = 6;

/** How deep an answer is searched for secret fields (an application inside a page inside a list). */
const MAX_SEARCH_DEPTH = 4;

/** The secrets of one set of credentials: what the caller configured and must never see echoed. */
export function secretsOf(credentials: Credentials): string[] {
  switch (credentials.kind) {
    case "bearer":
      return [credentials.accessToken];
    case "password":
      return [credentials.clientSecret, credentials.password];
    case "clientCredentials":
      return [credentials.clientSecret];
  }
}

/**
 * The secrets one client has met (its credentials, the tokens it was issued, the client secrets in
 * the answers it read), and the one function that keeps them out of error messages and log lines.
 */
export class Redactor {
  private readonly secrets = new Set<string>();

  constructor(initial: Iterable<string> = []) {
    for (const secret of initial) this.remember(secret);
  }

  static forCredentials(credentials: Credentials): Redactor {
    return new Redactor(secretsOf(credentials));
  }

  remember(secret: string): void {
    this.secrets.add(secret);
  }

  /** Client secrets in answers (applications, contracts) are secrets too: remember every one. */
  rememberSecretsIn(answer: unknown): void {
    this.searchForSecrets(answer, 0);
  }

  private searchForSecrets(data: unknown, depth: number): void {
    if (depth > MAX_SEARCH_DEPTH || typeof data !== "object" || data === null) return;
    if (Array.isArray(data)) {
      for (const item of data) this.searchForSecrets(item, depth + 1);
      return;
    }
    for (const [key, value] of Object.entries(data)) {
      if (typeof value === "string" && SECRET_FIELDS.has(key)) this.remember(value);
      else if (typeof value === "object") this.searchForSecrets(value, depth + 1);
    }
  }

  readonly redact: Redact = (text) => {
    let result = text;
    for (const secret of this.secrets) {
      if (secret.length >= MIN_SECRET_LENGTH) result = result.split(secret).join(REDACTED);
    }
    return result;
  };
}
