import { Harness } from "../support/harness";
import { consumers, duplicates, ownedBy, stackContents, summarize } from "./support";

jest.setTimeout(15 * 60_000);

// Anypoint throttles and fails under load (docs/anypoint.md section 6). With a seeded share of 5xx,
// 429s, slow answers, dropped connections and lost answers to creates, a large up must still
// converge to exactly what was declared: nothing missing, nothing made twice.
const FAULTS = [
  { status: 500, probability: 0.05 },
  { status: 503, probability: 0.05 },
  { status: 429, probability: 0.05, headers: { "X-RateLimit-Limit": "100", "X-RateLimit-Remaining": "0" } },
  { latencyMs: 1500, probability: 0.03 },
  { drop: true, probability: 0.02 },
  // The create happens, then its answer is lost or replaced: the client must look before it retries.
  { method: "POST", drop: true, probability: 0.03, phase: "after" as const },
  { method: "POST", status: 503, probability: 0.03, phase: "after" as const },
];

describe("up under injected faults", () => {
  let harness: Harness;

  beforeAll(async () => {
    harness = await Harness.start();
  });

  afterAll(async () => {
    await harness?.control("DELETE", "/faults");
    await harness?.close();
  });

  it("converges on 100 applications and 200 contracts with no duplicate, re-running up at most once", async () => {
    await harness.declare(consumers("faulty", 100));
    await harness.control("POST", "/faults", { rules: FAULTS, seed: 20240601 });

    let runs = 1;
    let result = await harness.stack.up().catch(() => undefined);
    if (!result) {
      runs++;
      result = await harness.stack.up();
    }
    expect(runs).toBeLessThanOrEqual(2);
    expect(result.summary.result).toBe("succeeded");

    // The faults did fire: retries, recoveries and all.
    const statuses = (await harness.requests()).map((entry) => entry.status);
    expect(statuses.filter((status) => status === 429).length).toBeGreaterThan(0);
    expect(statuses.filter((status) => status >= 500 || status === 0).length).toBeGreaterThan(0);
    await harness.control("DELETE", "/faults");

    const live = ownedBy(await harness.state(), "faulty");
    expect(live.applications).toHaveLength(100);
    expect(duplicates(live.applications.map((app) => app.name))).toEqual([]);
    expect(live.contracts).toHaveLength(200);
    expect(duplicates(live.contracts.map((c) => `${c.applicationId}/${c.apiId ?? c.apiInstanceId}`))).toEqual(
      [],
    );
    expect(live.contracts.every((c) => c.status === "APPROVED")).toBe(true);

    const recorded = await stackContents(harness);
    expect(recorded.pendingOperations).toEqual([]);
    expect(summarize(recorded)).toEqual(summarize(live));
  });
});
