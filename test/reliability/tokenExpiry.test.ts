import { Harness } from "../support/harness";
import { consumers, ownedBy, waitFor } from "./support";

jest.setTimeout(10 * 60_000);

const TOKEN_PATH = "/accounts/api/v2/oauth2/token";

// Tokens live one hour; a long run (or one started with a nearly expired token) sees its token
// refused half-way. The provider must renew it once and carry on, failing nothing.
describe("a token that expires during up", () => {
  let harness: Harness;

  beforeAll(async () => {
    harness = await Harness.start({ emulator: { latencyMs: 40 } });
  });

  afterAll(async () => {
    await harness?.close();
  });

  it("is renewed once, and every create succeeds", async () => {
    await harness.declare(consumers("expiring", 20));
    await harness.clearRequests();
    const up = harness.stack.up();
    await waitFor("some creates to land", async () => {
      const live = ownedBy(await harness.state(), "expiring");
      return live.applications.length >= 5 ? live : undefined;
    });
    await harness.control("POST", "/tokens/expire");
    const result = await up;

    expect(result.summary.result).toBe("succeeded");
    expect(result.summary.resourceChanges).toEqual({ create: 61 });
    const log = await harness.requests();
    // The expiry was seen (401s), and answered with exactly one new token for the whole run.
    expect(log.filter((entry) => entry.status === 401).length).toBeGreaterThan(0);
    expect(log.filter((entry) => entry.path === TOKEN_PATH)).toHaveLength(2);
    const live = ownedBy(await harness.state(), "expiring");
    expect(live.applications).toHaveLength(20);
    expect(live.contracts).toHaveLength(40);
  });
});
