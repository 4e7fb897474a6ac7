import { type AnypointClient, isAnypointError } from "../../client";
import { contractRequest, failure, fullClient, requests, SEED, useEmulator } from "./support";

const TIERS = `^/apimanager/api/v1/organizations/${SEED.org}/environments/${SEED.sandbox}/apis/${SEED.apis.orders}/tiers$`;
const CREATE_APP = `^/exchange/api/v2/organizations/${SEED.org}/applications$`;

describe("retries", () => {
  const emu = useEmulator();
  let client: AnypointClient;
  let lines: string[];
  beforeEach(async () => {
    await emu.control.reset();
    lines = [];
    client = fullClient(emu.url, { logger: (line) => lines.push(line) });
    await client.authenticate();
    await emu.control.clearRequests();
  });

  const tierCalls = async () =>
    (await requests(emu.control, { path: new RegExp(TIERS) })).map((entry) => entry.status);

  it.each([429, 500, 502, 503, 504])("retries a %i and succeeds", async (status) => {
    await emu.control.setFaults([{ path: TIERS, status, count: 2, headers: { "X-RateLimit-Reset": "0" } }]);
    const tiers = await client.listTiers(SEED.org, SEED.sandbox, SEED.apis.orders);
    expect(tiers).toHaveLength(3);
    expect(await tierCalls()).toEqual([status, status, 200]);
  });

  it("retries when the connection drops before an answer", async () => {
    await emu.control.setFaults([{ path: TIERS, drop: true, count: 2 }]);
    expect(await client.listTiers(SEED.org, SEED.sandbox, SEED.apis.orders)).toHaveLength(3);
    expect(await tierCalls()).toEqual([0, 0, 200]);
  });

  it("does not retry other client errors", async () => {
    await emu.control.setFaults([{ path: TIERS, status: 400, count: 1 }]);
    const error = await failure(client.listTiers(SEED.org, SEED.sandbox, SEED.apis.orders));
    expect(isAnypointError(error, "bad_request")).toBe(true);
    expect(await tierCalls()).toEqual([400]);
  });

  it("stops after the configured number of tries and says so", async () => {
    const bounded = fullClient(emu.url, { maxAttempts: 3 });
    await emu.control.setFaults([{ path: TIERS, status: 503 }]);
    const error = await failure(bounded.listTiers(SEED.org, SEED.sandbox, SEED.apis.orders));
    expect(isAnypointError(error, "server")).toBe(true);
    expect(error.status).toBe(503);
    expect(error.message).toMatch(/after 3 attempt/);
    expect(await tierCalls()).toEqual([503, 503, 503]);
  });

  it("defaults to five tries", async () => {
    await emu.control.setFaults([{ path: TIERS, status: 500 }]);
    await failure(client.listTiers(SEED.org, SEED.sandbox, SEED.apis.orders));
    expect(await tierCalls()).toEqual([500, 500, 500, 500, 500]);
  });

  it("gives up rather than wait past its time budget", async () => {
    const budgeted = fullClient(emu.url, { maxRetryTimeMs: 5000 });
    await emu.control.setFaults([{ path: TIERS, status: 503, headers: { "Retry-After": "20" } }]);
    const error = await failure(budgeted.listTiers(SEED.org, SEED.sandbox, SEED.apis.orders));
    expect(error.message).toMatch(/after 1 attempt/);
    expect(await tierCalls()).toEqual([503]);
  });

  it("waits as long as Retry-After says", async () => {
    await emu.control.setFaults([{ path: TIERS, status: 429, count: 1, headers: { "Retry-After": "1" } }]);
    await client.listTiers(SEED.org, SEED.sandbox, SEED.apis.orders);
    expect(lines.filter((line) => line.startsWith("retrying"))).toEqual([
      expect.stringMatching(/^retrying GET \S+\/tiers in 1000 ms \(attempt 2\)$/),
    ]);
    expect(await tierCalls()).toEqual([429, 200]);
  });

  it("waits until X-RateLimit-Reset when there is no Retry-After", async () => {
    const reset = Math.ceil(Date.now() / 1000) + 2;
    await emu.control.setFaults([
      { path: TIERS, status: 429, count: 1, headers: { "X-RateLimit-Reset": String(reset) } },
    ]);
    await client.listTiers(SEED.org, SEED.sandbox, SEED.apis.orders);
    const [line] = lines.filter((entry) => entry.startsWith("retrying"));
    const waited = Number(/in (\d+) ms/.exec(line)?.[1]);
    // Far beyond the 5..20 ms backoff this client is configured with: the header decided.
    expect(waited).toBeGreaterThan(1000);
    expect(waited).toBeLessThanOrEqual(3000);
  });

  it("backs off exponentially without server hints", async () => {
    const slow = fullClient(emu.url, {
      retryBaseDelayMs: 40,
      retryMaxDelayMs: 100,
      logger: (line) => lines.push(line),
    });
    await emu.control.setFaults([{ path: TIERS, status: 502, count: 4 }]);
    await slow.listTiers(SEED.org, SEED.sandbox, SEED.apis.orders);
    const waits = lines
      .filter((line) => line.startsWith("retrying"))
      .map((line) => Number(/in (\d+) ms/.exec(line)?.[1]));
    expect(waits).toHaveLength(4);
    const ceilings = [40, 80, 100, 100];
    waits.forEach((wait, index) => {
      expect(wait).toBeGreaterThanOrEqual(ceilings[index] / 2);
      expect(wait).toBeLessThanOrEqual(ceilings[index]);
    });
  });

  it("retries the token request when it is throttled", async () => {
    const fresh = fullClient(emu.url);
    await emu.control.setFaults([
      { path: "oauth2/token", status: 429, count: 1, headers: { "X-RateLimit-Reset": "0" } },
    ]);
    await fresh.me();
    expect((await requests(emu.control, { path: /oauth2\/token/ })).map((entry) => entry.status)).toEqual([
      429, 200,
    ]);
  });
});

describe("creates whose answer was lost", () => {
  const emu = useEmulator();
  let client: AnypointClient;
  beforeEach(async () => {
    await emu.control.reset();
    client = fullClient(emu.url);
  });

  const named = async (name: string) =>
    (await emu.control.state()).applications.filter((app) => app.name === name);

  it("finds the application the dropped create made instead of making a second one", async () => {
    await emu.control.setFaults([{ method: "POST", path: CREATE_APP, phase: "after", drop: true, count: 1 }]);
    const app = await client.createApplication(SEED.org, { name: "lost-answer-app" });
    const stored = await named("lost-answer-app");
    expect(stored).toHaveLength(1);
    expect(app).toMatchObject({
      id: stored[0].id,
      clientId: stored[0].clientId,
      clientSecret: stored[0].clientSecret,
    });
    expect(await requests(emu.control, { method: "POST", path: new RegExp(CREATE_APP) })).toHaveLength(1);
  });

  it("finds the application when the answer to its create was replaced by a 503", async () => {
    await emu.control.setFaults([
      { method: "POST", path: CREATE_APP, phase: "after", status: 503, count: 1 },
    ]);
    const app = await client.createApplication(SEED.org, { name: "after-503-app" });
    expect((await named("after-503-app")).map((stored) => stored.id)).toEqual([app.id]);
    expect(await requests(emu.control, { method: "POST", path: new RegExp(CREATE_APP) })).toHaveLength(1);
  });

  it("sends the create again when it never reached the service", async () => {
    await emu.control.setFaults([{ method: "POST", path: CREATE_APP, drop: true, count: 1 }]);
    const app = await client.createApplication(SEED.org, { name: "dropped-before-app" });
    expect((await named("dropped-before-app")).map((stored) => stored.id)).toEqual([app.id]);
    const creates = await requests(emu.control, { method: "POST", path: new RegExp(CREATE_APP) });
    expect(creates.map((entry) => entry.status)).toEqual([0, 201]);
  });

  it("finds the contract a dropped create made instead of asking again", async () => {
    const app = await client.createApplication(SEED.org, { name: "contract-lost-app" });
    await emu.control.setFaults([
      { method: "POST", path: "/contracts$", phase: "after", drop: true, count: 1 },
    ]);
    const contract = await client.createContract(
      SEED.org,
      app.id,
      contractRequest("orders", SEED.tiers.ordersSilver),
    );
    const stored = (await emu.control.state()).contracts.filter((c) => c.applicationId === app.id);
    expect(stored).toHaveLength(1);
    expect(contract).toMatchObject({ id: stored[0].id, status: "APPROVED", clientId: app.clientId });
    expect(await requests(emu.control, { method: "POST", path: /\/contracts$/ })).toHaveLength(1);
  });

  it("treats an approval whose answer was lost as done rather than failing on the second try", async () => {
    const app = await client.createApplication(SEED.org, { name: "approve-lost-app" });
    const pending = await client.createContract(
      SEED.org,
      app.id,
      contractRequest("orders", SEED.tiers.ordersGold),
    );
    expect(pending.status).toBe("PENDING");
    await emu.control.setFaults([
      { method: "POST", path: "/approve$", phase: "after", drop: true, count: 1 },
    ]);
    const approved = await client.approveContract(SEED.org, SEED.sandbox, SEED.apis.orders, pending.id);
    expect(approved).toMatchObject({ id: pending.id, status: "APPROVED", tierId: SEED.tiers.ordersGold });
    expect(await requests(emu.control, { method: "POST", path: /\/approve$/ })).toHaveLength(1);
  });
});

describe("concurrency limit", () => {
  const emu = useEmulator();

  it("keeps at most maxConcurrency requests in flight", async () => {
    const client = fullClient(emu.url, { maxConcurrency: 3 });
    await client.authenticate();
    await emu.control.setFaults([], { latencyMs: 30 });
    await emu.control.clearRequests();
    await Promise.all(
      Array.from({ length: 24 }, () => client.listTiers(SEED.org, SEED.sandbox, SEED.apis.orders)),
    );
    const { requests: log, peakConcurrency } = await emu.control.requests();
    expect(log).toHaveLength(24);
    expect(peakConcurrency).toBe(3);
    await emu.control.clearFaults();
  });

  it("allows eight requests in flight by default", async () => {
    const client = fullClient(emu.url);
    await client.authenticate();
    await emu.control.setFaults([], { latencyMs: 30 });
    await emu.control.clearRequests();
    await Promise.all(
      Array.from({ length: 40 }, () => client.listTiers(SEED.org, SEED.sandbox, SEED.apis.orders)),
    );
    expect((await emu.control.requests()).peakConcurrency).toBe(8);
    await emu.control.clearFaults();
  });
});
