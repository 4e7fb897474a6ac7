export type ErrorCode =
  | "unauthorized"
  | "forbidden"
  /** Only a definite 404 of the object's own path, in its API family's error shape: it is gone. */
  | "not_found"
  | "conflict"
  | "bad_request"
  | "rate_limited"
  | "server"
  | "network"
  | "config"
  | "validation"
  | "empty_list"
  /** A 404 that is not a definite "this object is gone": a wrong base URL, a missing route or parent. */
  | "unexpected_404"
  /** A create's answer was lost and looking for its result failed: the object may exist, untracked. */
  | "unknown_outcome";

export interface AnypointErrorDetails {
  code: ErrorCode;
  message: string;
  method?: string;
  path?: string;
  status?: number;
  serviceMessage?: string;
  hint?: string;
}

/**
 * The one error type of the client: what was called, what Anypoint answered, and what a person
 * should do about it. It never holds a token, a secret, a password or a raw HTTP exchange.
 */
export class AnypointError extends Error {
  readonly code: ErrorCode;
  readonly method?: string;
  readonly path?: string;
  readonly status?: number;
  readonly serviceMessage?: string;
  readonly hint?: string;
  /** The message without the call and the hint. */
  readonly summary: string;

  constructor(details: AnypointErrorDetails) {
    const where = details.method && details.path ? `${details.method} ${details.path}` : undefined;
    const answer =
      details.status !== undefined
        ? `${details.status}${details.serviceMessage ? ` ${details.serviceMessage}` : ""}`
        : undefined;
    const head = [where, answer].filter(Boolean).join(" -> ");
    super([head ? `${details.message} (${head})` : details.message, details.hint].filter(Boolean).join(". "));
    this.name = "AnypointError";
    this.code = details.code;
    this.method = details.method;
    this.path = details.path;
    this.status = details.status;
    this.serviceMessage = details.serviceMessage;
    this.hint = details.hint;
    this.summary = details.message;
  }

  toJSON(): Omit<AnypointErrorDetails, "message"> & { message: string } {
    return {
      code: this.code,
      message: this.message,
      method: this.method,
      path: this.path,
      status: this.status,
      serviceMessage: this.serviceMessage,
      hint: this.hint,
    };
  }
}

/** The same error with another hint (and, optionally, another summary). */
export function withHint(error: AnypointError, hint: string, message?: string): AnypointError {
  return new AnypointError({
    code: error.code,
    method: error.method,
    path: error.path,
    status: error.status,
    serviceMessage: error.serviceMessage,
    message: message ?? error.summary,
    hint,
  });
}

/** The same error with advice appended to its hint: for callers that know what the person can do. */
export function withAdvice(error: AnypointError, advice: string): AnypointError {
  return withHint(error, [error.hint, advice].filter(Boolean).join(". "));
}

export function isAnypointError(error: unknown, code?: ErrorCode): error is AnypointError {
  return error instanceof AnypointError && (code === undefined || error.code === code);
}

/**
 * The empty-200 trap (KB 005385409): the admin list answers `{"applications":[],"total":0}` when
 * the credentials lack a read scope. An object known to exist and absent from a list is a
 * permission problem until a 404 on the object itself says otherwise.
 */
export function absentFromListError(what: string, listPath: string): AnypointError {
  return new AnypointError({
    code: "empty_list",
    method: "GET",
    path: listPath,
    status: 200,
    message: `${what} is missing from the list Anypoint returned`,
    hint:
      "An object absent from a list is not proof that it was deleted: Anypoint answers an empty 200 when the " +
      "credentials lack a read scope (KB 005385409). Grant View Client Applications (read:client_applications) " +
      "or Manage Client Applications (manage:client_applications) on the root organization",
  });
}

/**
 * A person-readable message of any error: an Error's message (an AnypointError's includes its
 * hint), anything else as text. The one definition the provider and the CLI share; this file
 * imports nothing, so the CLI can load it without the rest of the client.
 */
export function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
