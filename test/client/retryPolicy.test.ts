import { AnypointError } from "../../client/errors";
import {
  type AttemptOutcome,
  type Clock,
  done,
  isRetryableFailure,
  isRetryableStatus,
  retryable,
  retryDelay,
  type RetryLimits,
  RetryPolicy,
} from "../../client/retryPolicy";

const CALL = { method: "GET", path: "/apimanager/api/v1/organizations/o/environments/e/apis/1/tiers" };
const LIMITS: RetryLimits = {
  maxAttempts: 5,
  maxRetryTimeMs: 60_000,
  retryBaseDelayMs: 5,
  retryMaxDelayMs: 20,
};
const NOW = Date.parse("2026-03-01T12:00:00.000Z");

/** A clock that never waits: each sleep moves time on and is recorded. */
function fakeClock(): Clock & { slept: number[] } {
  let now = NOW;
  const slept: number[] = [];
  return {
    slept,
    now: () => now,
    sleep: async (milliseconds) => {
      slept.push(milliseconds);
      now += milliseconds;
    },
  };
}

const throttled = (status = 503) =>
  new AnypointError({
    code: "server",
    method: CALL.method,
    path: CALL.path,
    status,
    message: "Anypoint failed",
  });
const dropped = () =>
  new AnypointError({ code: "network", ...CALL, message: "the request to Anypoint failed before an answer" });

/** An attempt function that answers `outcomes` in turn, and counts its calls. */
function scripted<T>(outcomes: AttemptOutcome<T>[]): (() => Promise<AttemptOutcome<T>>) & { calls: number } {
  const attempt = Object.assign(
    async () => {
      const outcome = outcomes[attempt.calls++];
      if (!outcome) throw new Error("no outcome left");
      return outcome;
    },
    { calls: 0 },
  );
  return attempt;
}

describe("which outcomes are retried", () => {
  it.each([429, 500, 502, 503, 504])("retries a %i", (status) => {
    expect(isRetryableStatus(status)).toBe(true);
  });

  it.each([200, 400, 401, 403, 404, 409, 422, 501])("never retries a %i", (status) => {
    expect(isRetryableStatus(status)).toBe(false);
  });

  it("retries a failure before any answer, never a refused configuration or an oversized answer", () => {
    expect(isRetryableFailure(dropped())).toBe(true);
    expect(isRetryableFailure(new AnypointError({ code: "config", message: "bad route" }))).toBe(false);
    expect(isRetryableFailure(new AnypointError({ code: "server", message: "too large" }))).toBe(false);
  });
});

describe("the retry policy", () => {
  it("returns the first value without waiting", async () => {
    const clock = fakeClock();
    const attempt = scripted([done("tiers")]);
    expect(await new RetryPolicy(LIMITS, { clock }).run(CALL, attempt)).toBe("tiers");
    expect(attempt.calls).toBe(1);
    expect(clock.slept).toEqual([]);
  });

  it("tries again after a retryable failure, as long as Retry-After says, and logs each wait", async () => {
    const clock = fakeClock();
    const lines: string[] = [];
    const attempt = scripted([
      retryable<string>(throttled(429), { "retry-after": "2" }),
      retryable<string>(dropped()),
      done("tiers"),
    ]);
    const value = await new RetryPolicy(LIMITS, { clock, log: (line) => lines.push(line) }).run(
      CALL,
      attempt,
    );
    expect(value).toBe("tiers");
    expect(attempt.calls).toBe(3);
    expect(clock.slept[0]).toBe(2000);
    expect(clock.slept[1]).toBeGreaterThanOrEqual(5);
    expect(clock.slept[1]).toBeLessThanOrEqual(10);
    expect(lines).toEqual([
      `retrying GET ${CALL.path} in 2000 ms (attempt 2)`,
      `retrying GET ${CALL.path} in ${clock.slept[1]} ms (attempt 3)`,
    ]);
  });

  it("stops after maxAttempts and says how many were made, keeping the last answer", async () => {
    const clock = fakeClock();
    const attempt = scripted(Array.from({ length: 5 }, () => retryable<string>(throttled())));
    const error = await new RetryPolicy({ ...LIMITS, maxAttempts: 3 }, { clock })
      .run(CALL, attempt)
      .catch((e) => e);
    expect(error).toBeInstanceOf(AnypointError);
    expect(error).toMatchObject({ code: "server", status: 503, method: "GET", path: CALL.path });
    expect(error.summary).toBe("Anypoint kept failing after 3 attempt(s)");
    expect(error.hint).toMatch(/lower anypoint:maxConcurrency/);
    expect(attempt.calls).toBe(3);
    expect(clock.slept).toHaveLength(2);
  });

  it("names the network failure when Anypoint could not be reached, and keeps the failure's own hint", async () => {
    const failure = new AnypointError({ ...dropped(), message: "no answer", hint: "Check the proxy" });
    const attempt = scripted([retryable<string>(failure), retryable<string>(failure)]);
    const error = await new RetryPolicy({ ...LIMITS, maxAttempts: 2 }, { clock: fakeClock() })
      .run(CALL, attempt)
      .catch((e) => e);
    expect(error.code).toBe("network");
    expect(error.summary).toBe("Anypoint could not be reached after 2 attempt(s): no answer");
    expect(error.hint).toBe("Check the proxy");
  });

  it("gives up at once rather than wait past its time budget", async () => {
    const clock = fakeClock();
    const attempt = scripted([retryable<string>(throttled(), { "retry-after": "20" }), done("late")]);
    const error = await new RetryPolicy({ ...LIMITS, maxRetryTimeMs: 5000 }, { clock })
      .run(CALL, attempt)
      .catch((e) => e);
    expect(error.summary).toBe("Anypoint kept failing after 1 attempt(s)");
    expect(attempt.calls).toBe(1);
    expect(clock.slept).toEqual([]);
  });

  it("lets through, untouched and unretried, what an attempt throws", async () => {
    const refused = new AnypointError({ code: "forbidden", status: 403, message: "refused" });
    const attempt = Object.assign(
      async (): Promise<AttemptOutcome<string>> => {
        attempt.calls++;
        throw refused;
      },
      { calls: 0 },
    );
    await expect(new RetryPolicy(LIMITS, { clock: fakeClock() }).run(CALL, attempt)).rejects.toBe(refused);
    expect(attempt.calls).toBe(1);
  });
});

describe("retry delay fallbacks", () => {
  it("falls back to X-RateLimit-Reset when Retry-After is neither seconds nor a date", () => {
    const reset = String(NOW / 1000 + 4);
    expect(retryDelay(1, { headers: { "retry-after": "soon", "x-ratelimit-reset": reset } }, NOW)).toBe(4000);
  });

  it("reads a small X-RateLimit-Reset as seconds from now", () => {
    expect(retryDelay(1, { headers: { "x-ratelimit-reset": "3" } }, NOW)).toBe(3000);
  });

  it("backs off without a hint when X-RateLimit-Reset is zero, negative or not a number", () => {
    for (const reset of ["0", "-5", "later"]) {
      const delay = retryDelay(1, { headers: { "x-ratelimit-reset": reset } }, NOW, {
        baseMs: 40,
        maxMs: 100,
      });
      expect(delay).toBeGreaterThanOrEqual(20);
      expect(delay).toBeLessThanOrEqual(40);
    }
  });
});
