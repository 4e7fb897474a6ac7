import { AnypointError } from "../../client";

export function isNotFound(error: unknown): boolean {
  return error instanceof AnypointError && error.code === "not_found";
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

/** A person-readable message of any error, with the client's hint when there is one. */
export function messageOf(error: unknown): string {
  if (error instanceof AnypointError) return error.message;
  if (error instanceof Error) return error.message;
  return String(error);
}

/** A user error found before any change was made. */
export class InputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "InputError";
  }
}
