/**
 * The refusals of the emulator's model: a rule of the service broken, or a thing it names missing.
 * The store throws them without knowing HTTP's bodies; the server answers each with its status in
 * the route family's error shape (docs/anypoint.md section 6, and section 9 for the 404 and 409
 * bodies the specs leave undocumented).
 */
export abstract class EmulatorRuleError extends Error {
  abstract readonly status: 400 | 404 | 409;
}

/** The request asks for what a rule forbids (400). */
export class InvalidRequestError extends EmulatorRuleError {
  readonly status = 400;
  override readonly name = "InvalidRequestError";
}

/** What the request names does not exist (404). */
export class NotFoundError extends EmulatorRuleError {
  readonly status = 404;
  override readonly name = "NotFoundError";
}

/** The request clashes with the current state: a duplicate or a refused status change (409). */
export class ConflictError extends EmulatorRuleError {
  readonly status = 409;
  override readonly name = "ConflictError";
}
