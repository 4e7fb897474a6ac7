import * as http from "node:http";
import { AnypointClient, isAnypointError } from "../../client";
import { path } from "../../client/http";
import { isNotFound } from "../../provider/impl/errors";
import {
  capturingProxy,
  contractRequest,
  FAST_RETRIES,
  failure,
  fullClient,
  listening,
  requests,
  SEED,
  useEmulator,
} from "./support";

/** A server answering every request with `answer`, recording what reached it. */
async function fakeServer(
  answer: (req: http.IncomingMessage, res: http.ServerResponse) => void,
): Promise<{ url: string; seen: http.IncomingHttpHeaders[]; paths: string[]; close(): Promise<void> }> {
  const seen: http.IncomingHttpHeaders[] = [];
  const paths: string[] = [];
  const server = http.createServer((req, res) => {
    seen.push(req.headers);
    paths.push(req.url ?? "");
    req.resume();
    req.on("end", () => answer(req, res));
  });
  return { ...(await listening(server)), seen, paths };
}

const htmlNotFound = (_req: http.IncomingMessage, res: http.ServerResponse) => {
  res.writeHead(404, { "Content-Type": "text/html" });
  res.end("<!doctype html><html><body>Anypoint Platform</body></html>");
};

describe("a 404 is proof of deletion only for the object's own path, in its family's error shape", () => {
  const emu = useEmulator();
  afterEach(() => emu.control.clearFaults());

  it("says to check anypoint:baseUrl, not 'gone', when the token endpoint answers 404 (a base URL with /home)", async () => {
    const client = fullClient(`${emu.url}/home`, { maxAttempts: 1 });
    const error = await failure(client.getApplication(SEED.org, SEED.legacyApp.id));
    expect(error).toMatchObject({ status: 404 });
    expect(isAnypointError(error, "not_found")).toBe(false);
    expect(isNotFound(error)).toBe(false);
    expect(error.message).toMatch(/anypoint:baseUrl/);
    expect(error.message).not.toContain(SEED.full.clientSecret);
  });

  it("does not take an HTML 404 of the object's own path (a wrong host or path) as gone, nor a delete as done", async () => {
    const site = await fakeServer(htmlNotFound);
    try {
      const client = AnypointClient.fromOptions(
        { baseUrl: `${site.url}/home`, accessToken: "a-bearer-token-0123456789", ...FAST_RETRIES },
        {},
      );
      const read = await failure(client.getApplication(SEED.org, 2690001));
      expect(isNotFound(read)).toBe(false);
      expect(read.message).toMatch(/anypoint:baseUrl/);
      const deleted = await failure(client.deleteApplication(SEED.org, 2690001));
      expect(isNotFound(deleted)).toBe(false);
      const contract = await failure(
        client.getApiContract(SEED.org, SEED.sandbox, SEED.apis.orders, 7330001),
      );
      expect(isNotFound(contract)).toBe(false);
    } finally {
      await site.close();
    }
  });

  it("does not take a 404 of /me or of a list as gone", async () => {
    const client = fullClient(emu.url, { maxAttempts: 1 });
    await emu.control.setFaults([{ path: "^/accounts/api/me$", status: 404 }]);
    const me = await failure(client.rootOrganizationId());
    expect(isNotFound(me)).toBe(false);
    expect(me.message).toMatch(/anypoint:baseUrl/);
    await emu.control.setFaults([{ method: "GET", path: "/applications$", status: 404 }]);
    expect(isNotFound(await failure(client.listOwnApplications(SEED.org)))).toBe(false);
  });

  it("takes a JSON 404 of the object's own path as gone", async () => {
    const client = fullClient(emu.url);
    const app = await client.createApplication(SEED.org, { name: "really-deleted" });
    await emu.control.deleteApplication(app.id);
    expect(isNotFound(await failure(client.getApplication(SEED.org, app.id)))).toBe(true);
  });

  it.each([
    ["undefined", undefined],
    ["null", null],
    ["NaN", NaN],
    ["Infinity", Infinity],
    ["an empty string", ""],
    ["'..'", ".."],
  ])("refuses %s as a path segment, before any request", async (_what, value) => {
    expect(() => path`/x/${value as unknown as string}/y`).toThrow(/refusing the path segment/);
    const client = fullClient(emu.url);
    await emu.control.clearRequests();
    const error = await failure((async () => client.getApplication(SEED.org, value as unknown as number))());
    expect(isAnypointError(error, "config")).toBe(true);
    expect(isNotFound(error)).toBe(false);
    expect(await requests(emu.control, { path: /\/applications\// })).toEqual([]);
  });
});

describe("the owner's application list carries no credentials", () => {
  const emu = useEmulator();

  it("lists own applications from items without clientId, and a lost create's result is read again for its client id", async () => {
    const client = fullClient(emu.url);
    const listed = await client.createApplication(SEED.org, { name: "listed-app" });
    expect((await client.listOwnApplications(SEED.org)).find((app) => app.id === listed.id)).toMatchObject({
      id: listed.id,
      name: "listed-app",
    });

    await emu.control.setFaults([
      { method: "POST", path: "/applications$", status: 503, phase: "after", count: 1 },
    ]);
    const recovered = await client.createApplication(SEED.org, { name: "lost-answer-app" });
    const stored = (await emu.control.state()).applications.find((app) => app.name === "lost-answer-app")!;
    expect(recovered).toMatchObject({
      id: stored.id,
      clientId: stored.clientId,
      clientSecret: stored.clientSecret,
    });
  });
});

describe("API Manager names a contract's client id coreServicesId", () => {
  const emu = useEmulator();

  it("reads the client id of a listed, fetched and recovered contract", async () => {
    const client = fullClient(emu.url);
    const app = await client.createApplication(SEED.org, { name: "contract-client-id" });
    await emu.control.setFaults([
      { method: "POST", path: "/contracts$", status: 503, phase: "after", count: 1 },
    ]);
    const recovered = await client.createContract(
      SEED.org,
      app.id,
      contractRequest("orders", SEED.tiers.ordersSilver),
    );
    expect(recovered.clientId).toBe(app.clientId);
    const fetched = await client.getApiContract(SEED.org, SEED.sandbox, SEED.apis.orders, recovered.id);
    expect(fetched.application?.coreServicesId).toBe(app.clientId);
  });
});

describe("a lost answer adopts only what was absent before the request", () => {
  const emu = useEmulator();
  afterEach(() => emu.control.clearFaults());

  it("answers the duplicate application's 409, not the existing application, after a 503 before processing", async () => {
    const client = fullClient(emu.url);
    const existing = await client.createApplication(SEED.org, { name: "shared-app" });
    await emu.control.setFaults([{ method: "POST", path: "/applications$", status: 503, count: 1 }]);
    const error = await failure(client.createApplication(SEED.org, { name: "shared-app" }));
    expect(isAnypointError(error, "conflict")).toBe(true);
    expect(error.message).toContain(String(existing.id));
  });

  it("answers the duplicate contract's 409, not the existing contract, after a 503 before processing", async () => {
    const client = fullClient(emu.url);
    const app = await client.createApplication(SEED.org, { name: "one-contract-app" });
    await client.createContract(SEED.org, app.id, contractRequest("orders", SEED.tiers.ordersSilver));
    await emu.control.setFaults([{ method: "POST", path: "/contracts$", status: 503, count: 1 }]);
    const error = await failure(
      client.createContract(SEED.org, app.id, contractRequest("orders", SEED.tiers.ordersSilver)),
    );
    expect(isAnypointError(error, "conflict")).toBe(true);
  });

  it("takes each lost contract answer's own contract when the application got two at once, without listing the APIs' contracts", async () => {
    const client = fullClient(emu.url);
    const app = await client.createApplication(SEED.org, { name: "two-lost-contracts" });
    await emu.control.setFaults([
      { method: "POST", path: "/contracts$", status: 503, phase: "after", count: 2 },
    ]);
    await emu.control.clearRequests();
    const [orders, payments] = await Promise.all([
      client.createContract(SEED.org, app.id, contractRequest("orders", SEED.tiers.ordersSilver)),
      client.createContract(SEED.org, app.id, contractRequest("payments")),
    ]);
    expect(orders.id).not.toBe(payments.id);
    const ordersContract = await client.getApiContract(SEED.org, SEED.sandbox, SEED.apis.orders, orders.id);
    const paymentsContract = await client.getApiContract(
      SEED.org,
      SEED.sandbox,
      SEED.apis.payments,
      payments.id,
    );
    expect([ordersContract.applicationId, paymentsContract.applicationId]).toEqual([app.id, app.id]);
    expect(await requests(emu.control, { method: "POST", path: /\/contracts$/ })).toHaveLength(2);
    // The snapshot is the application's own list, never an API's list of every consumer.
    expect(await requests(emu.control, { method: "GET", path: /\/apis\/\d+\/contracts$/ })).toHaveLength(0);
  });

  it("stops with a clear error, never sending again, when the lookup after a lost answer fails", async () => {
    const client = fullClient(emu.url);
    await emu.control.setFaults([
      { method: "GET", path: "/applications$", status: 403 },
      { method: "POST", path: "/applications$", status: 503, phase: "after", count: 1 },
    ]);
    await emu.control.clearRequests();
    const error = await failure(client.createApplication(SEED.org, { name: "unknown-outcome-app" }));
    expect(isAnypointError(error, "unknown_outcome")).toBe(true);
    expect(error.message).toMatch(/client application "unknown-outcome-app"/);
    expect(error.message).toMatch(/Not sent again/);
    expect(error.message).not.toMatch(/adopt|pulumi/i);
    expect(await requests(emu.control, { method: "POST", path: /\/applications$/ })).toHaveLength(1);
  });
});

describe("where requests go, how long they take and how much they read", () => {
  const emu = useEmulator();

  it("never sends a loopback base URL's requests (the client secret among them) through HTTP_PROXY", async () => {
    const proxy = await capturingProxy(emu.url);
    const saved = { HTTP_PROXY: process.env.HTTP_PROXY, http_proxy: process.env.http_proxy };
    process.env.HTTP_PROXY = proxy.url;
    process.env.http_proxy = proxy.url;
    try {
      const client = fullClient(emu.url);
      await client.authenticate();
      await client.me();
      expect(proxy.captured).toEqual([]);
    } finally {
      for (const [name, value] of Object.entries(saved)) {
        if (value === undefined) delete process.env[name];
        else process.env[name] = value;
      }
      await proxy.close();
    }
  });

  it("gives one attempt a total deadline, however slowly the answer trickles in", async () => {
    const slow = await fakeServer((_req, res) => {
      res.writeHead(200, { "Content-Type": "application/json" });
      let sent = 0;
      const timer = setInterval(() => {
        if (res.destroyed || sent++ > 20) {
          clearInterval(timer);
          res.end();
          return;
        }
        res.write(" ");
      }, 150);
    });
    try {
      const client = AnypointClient.fromOptions(
        { baseUrl: slow.url, accessToken: "a-bearer-token-0123456789", timeoutMs: 1000, maxAttempts: 1 },
        {},
      );
      const started = Date.now();
      const error = await failure(client.get("/accounts/api/me"));
      expect(Date.now() - started).toBeLessThan(2000);
      expect(isAnypointError(error, "network")).toBe(true);
      expect(error.message).toMatch(/within 1000 ms/);
    } finally {
      await slow.close();
    }
  });

  it("refuses an answer larger than its size cap, without retrying", async () => {
    const huge = await fakeServer((_req, res) => {
      res.writeHead(200, { "Content-Type": "application/json" });
      res.end(JSON.stringify({ padding: "x".repeat(6 * 1024 * 1024) }));
    });
    try {
      const client = AnypointClient.fromOptions(
        { baseUrl: huge.url, accessToken: "a-bearer-token-0123456789", ...FAST_RETRIES },
        {},
      );
      const error = await failure(client.get("/accounts/api/me"));
      expect(error.message).toMatch(/exceeded 4 MiB/);
      expect(huge.paths).toHaveLength(1);
    } finally {
      await huge.close();
    }
  });

  it.each([
    ["an absolute URL on another host", (other: string) => `${other}/steal`],
    ["a protocol-relative URL", (other: string) => `//${new URL(other).host}/steal`],
    ["a route without a leading slash", () => "accounts/api/me"],
    ["a backslash route", (other: string) => `/\\${new URL(other).host}/steal`],
  ])("get() refuses %s and sends the token nowhere", async (_what, route) => {
    const other = await fakeServer((_req, res) => {
      res.writeHead(200, { "Content-Type": "application/json" });
      res.end("{}");
    });
    try {
      const client = fullClient(emu.url);
      const error = await failure(client.get(route(other.url)));
      expect(isAnypointError(error, "config")).toBe(true);
      expect(other.seen).toEqual([]);
    } finally {
      await other.close();
    }
  });
});
