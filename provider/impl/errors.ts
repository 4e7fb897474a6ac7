import { AnypointError } from "../../client";
import { messageOf } from "../../client/errors";

export { messageOf };

/** A definite 404 of the object's own path: the client gives `not_found` to nothing else. */
export function isNotFound(error: unknown): boolean {
  return error instanceof AnypointError && error.code === "not_found";
}

/** A 403: these credentials lack a permission for that call. */
export function isForbidden(error: unknown): boolean {
  return error instanceof AnypointError && error.code === "forbidden";
}

/** Any 404, proof of nothing: at most a reason to ask the object itself (then isNotFound decides). */
export function answered404(error: unknown): boolean {
  return error instanceof AnypointError && error.status === 404;
}

/**
 * The object exists in Anypoint but a later step failed. The dynamic-provider runtime turns an
 * error carrying `id` into ErrorResourceInitFailed, so the engine records the object in state and
 * the next run converges instead of creating a duplicate.
 */
export class PartialCreateError extends Error {
  readonly reasons: string[];
  constructor(
    readonly id: string,
    readonly properties: Record<string, unknown>,
    cause: unknown,
    what: string,
  ) {
    super(
      `${what}; it is recorded in the stack, and the next \`pulumi up\` finishes the job. ${messageOf(cause)}`,
    );
    this.name = "PartialCreateError";
    // The engine shows the reasons, not the message, of a create that failed half-way.
    this.reasons = [this.message];
  }
}

/** A user error found before any change was made. */
export class InputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "InputError";
  }
}

/**
 * The credentials lack a permission the operation needs, found in an answer rather than in a 403
 * (for instance an object returned without a field only its managers see).
 */
export class MissingPermissionError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "MissingPermissionError";
  }
}
