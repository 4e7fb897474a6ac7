import type { ClientConfig } from "./config";
import { AnypointError } from "./errors";

/**
 * The one retry policy of the client, used by every request and by the token request alike:
 * which outcomes are worth another try, how long to wait before it, and when to give up.
 */

/** Throttling and server errors; Exchange throttles with 429, 500 or 503 (docs/anypoint.md section 6). */
const RETRYABLE_STATUS = new Set([429, 500, 502, 503, 504]);

/** Bounds of a wait the service asks for (Retry-After, X-RateLimit-Reset). */
const MIN_SERVER_DELAY_MS = 100;
const MAX_SERVER_DELAY_MS = 30_000;

/** Peers back off 250 ms .. 4 s (docs/anypoint.md section 6). */
const DEFAULT_BASE_DELAY_MS = 250;
const DEFAULT_MAX_DELAY_MS = 4000;

const GIVE_UP_HINT =
  "Anypoint throttles bursts (429) and may answer 5xx under load; lower anypoint:maxConcurrency or run again later";

export function isRetryableStatus(status: number): boolean {
  return RETRYABLE_STATUS.has(status);
}

/**
 * A failure before any answer (a dropped connection, a timeout) may be retried; a refused
 * configuration or an oversized answer would fail the same way again.
 */
export function isRetryableFailure(failure: AnypointError): boolean {
  return failure.code === "network";
}

export type ResponseHeaders = Record<string, unknown>;

/** What one attempt came to: a value, or a failure worth another try (with the answer's headers, if any). */
export type AttemptOutcome<T> =
  { kind: "done"; value: T } | { kind: "retry"; failure: AnypointError; headers?: ResponseHeaders };

export function done<T>(value: T): AttemptOutcome<T> {
  return { kind: "done", value };
}

export function retryable<T>(failure: AnypointError, headers?: ResponseHeaders): AttemptOutcome<T> {
  return { kind: "retry", failure, headers };
}

export type RetryLimits = Pick<
  ClientConfig,
  "maxAttempts" | "maxRetryTimeMs" | "retryBaseDelayMs" | "retryMaxDelayMs"
>;

/** Time as the policy sees it: replaced in specs so that no test waits for a backoff. */
export interface Clock {
  now(): number;
  sleep(milliseconds: number): Promise<void>;
}

const SYSTEM_CLOCK: Clock = {
  now: () => Date.now(),
  sleep: (milliseconds) => new Promise((resolve) => setTimeout(resolve, milliseconds)),
};

export interface RetryPolicyOptions {
  /** Receives one line before each wait; the caller redacts it. */
  log?: (line: string) => void;
  clock?: Clock;
}

/** The call an attempt belongs to, as log lines and errors name it. */
export interface RetriedCall {
  method: string;
  path: string;
}

export class RetryPolicy {
  private readonly clock: Clock;

  constructor(
    private readonly limits: RetryLimits,
    private readonly options: RetryPolicyOptions = {},
  ) {
    this.clock = options.clock ?? SYSTEM_CLOCK;
  }

  /**
   * Runs `attempt` until it is done, waiting between tries. An attempt throws what must not be
   * retried; after the last try allowed, the last failure is thrown, saying how many were made.
   */
  async run<T>(call: RetriedCall, attempt: () => Promise<AttemptOutcome<T>>): Promise<T> {
    const started = this.clock.now();
    for (let attemptNumber = 1; ; attemptNumber++) {
      const outcome = await attempt();
      if (outcome.kind === "done") return outcome.value;
      await this.waitOrGiveUp(call, {
        attemptNumber,
        started,
        failure: outcome.failure,
        headers: outcome.headers,
      });
    }
  }

  private async waitOrGiveUp(
    call: RetriedCall,
    retry: { attemptNumber: number; started: number; failure: AnypointError; headers?: ResponseHeaders },
  ): Promise<void> {
    const now = this.clock.now();
    const delay = retryDelay(retry.attemptNumber, retry.headers && { headers: retry.headers }, now, {
      baseMs: this.limits.retryBaseDelayMs,
      maxMs: this.limits.retryMaxDelayMs,
    });
    const outOfAttempts = retry.attemptNumber >= this.limits.maxAttempts;
    const outOfTime = now - retry.started + delay > this.limits.maxRetryTimeMs;
    if (outOfAttempts || outOfTime) throw exhaustedError(retry.failure, retry.attemptNumber);
    this.options.log?.(
      `retrying ${call.method} ${call.path} in ${delay} ms (attempt ${retry.attemptNumber + 1})`,
    );
    await this.clock.sleep(delay);
  }
}

/** The last failure, saying that it was tried `attempts` times. */
function exhaustedError(failure: AnypointError, attempts: number): AnypointError {
  return new AnypointError({
    code: failure.code,
    method: failure.method,
    path: failure.path,
    status: failure.status,
    serviceMessage: failure.serviceMessage,
    message:
      failure.code === "network"
        ? `Anypoint could not be reached after ${attempts} attempt(s): ${failure.summary}`
        : `Anypoint kept failing after ${attempts} attempt(s)`,
    hint: failure.hint ?? GIVE_UP_HINT,
  });
}

/**
 * Retry-After, else X-RateLimit-Reset, else exponential backoff with jitter: attempt n waits
 * between half and all of min(maxMs, baseMs * 2^(n-1)) (250 ms .. 4 s by default). No Retry-After
 * is documented; it is honoured if present (docs/anypoint.md section 6).
 */
export function retryDelay(
  attempt: number,
  response?: { headers: Record<string, unknown> },
  now = Date.now(),
  backoff: { baseMs?: number; maxMs?: number } = {},
): number {
  const headers = response?.headers ?? {};
  return (
    retryAfterDelay(headers, now) ??
    rateLimitResetDelay(headers, now) ??
    backoffDelay(attempt, {
      baseMs: backoff.baseMs ?? DEFAULT_BASE_DELAY_MS,
      maxMs: backoff.maxMs ?? DEFAULT_MAX_DELAY_MS,
    })
  );
}

/** Retry-After in seconds or as an HTTP date. */
function retryAfterDelay(headers: ResponseHeaders, now: number): number | undefined {
  const retryAfter = headerValue(headers, "retry-after");
  if (retryAfter === undefined) return undefined;
  const seconds = Number(retryAfter);
  if (Number.isFinite(seconds)) return clampServerDelay(seconds * 1000);
  const date = Date.parse(retryAfter);
  return Number.isFinite(date) ? clampServerDelay(date - now) : undefined;
}

/** X-RateLimit-Reset: epoch seconds per the spec (docs/anypoint.md section 1); seconds-from-now tolerated. */
function rateLimitResetDelay(headers: ResponseHeaders, now: number): number | undefined {
  const reset = Number(headerValue(headers, "x-ratelimit-reset"));
  if (!Number.isFinite(reset) || reset <= 0) return undefined;
  return clampServerDelay(reset > 1e9 ? reset * 1000 - now : reset * 1000);
}

function backoffDelay(attempt: number, backoff: { baseMs: number; maxMs: number }): number {
  const ceiling = Math.min(backoff.maxMs, backoff.baseMs * 2 ** (attempt - 1));
  return Math.round(ceiling / 2 + Math.random() * (ceiling / 2));
}

function clampServerDelay(millis: number): number {
  return Math.max(MIN_SERVER_DELAY_MS, Math.min(MAX_SERVER_DELAY_MS, Math.round(millis)));
}

function headerValue(headers: ResponseHeaders, name: string): string | undefined {
  const value = headers[name] ?? headers[name.toLowerCase()];
  return value === undefined || value === null ? undefined : String(value);
}
