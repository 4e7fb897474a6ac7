import * as http from "node:http";
import type { AddressInfo } from "node:net";
import * as util from "node:util";
import { AnypointClient, AnypointError, isAnypointError } from "../../client";
import {
  contractRequest,
  failure,
  FAST_RETRIES,
  fullClient,
  readonlyClient,
  SEED,
  useEmulator,
} from "./support";

const ORDERS = contractRequest("orders", SEED.tiers.ordersSilver);

describe("error hints", () => {
  const emu = useEmulator();

  it("carries the call, the status and the service's own message", async () => {
    const error = await failure(
      readonlyClient(emu.url).listApiContracts(SEED.org, SEED.sandbox, SEED.apis.orders),
    );
    expect(error).toBeInstanceOf(AnypointError);
    expect(error).toMatchObject({
      code: "forbidden",
      method: "GET",
      path: `/apimanager/api/v1/organizations/${SEED.org}/environments/${SEED.sandbox}/apis/${SEED.apis.orders}/contracts`,
      status: 403,
      serviceMessage: "missing read:api_contracts",
    });
  });

  it.each([
    [
      "listing an API instance's contracts",
      (c: AnypointClient) => c.listApiContracts(SEED.org, SEED.sandbox, SEED.apis.orders),
      /View Contracts \(read:api_contracts\) in environment 5e1f7c2a/,
    ],
    [
      "listing tiers",
      (c: AnypointClient) => c.listTiers(SEED.org, SEED.sandbox, SEED.apis.orders),
      /View Contracts \(read:api_contracts\)/,
    ],
    [
      "approving a contract",
      (c: AnypointClient) => c.approveContract(SEED.org, SEED.sandbox, SEED.apis.orders, SEED.legacyContract),
      /Manage Contracts \(manage:api_contracts\)/,
    ],
    [
      "deleting a contract",
      (c: AnypointClient) =>
        c.deleteApiContract(SEED.org, SEED.sandbox, SEED.apis.orders, SEED.legacyContract),
      /Manage Contracts \(manage:api_contracts\)/,
    ],
  ])("names the minimum scope after a 403 when %s", async (_what, call, scope) => {
    const error = await failure(call(readonlyClient(emu.url)));
    expect(error.status).toBe(403);
    expect(error.hint).toMatch(scope);
    expect(error.message).toContain(error.hint as string);
  });

  it("names Manage Contracts and Exchange Viewer when requesting access is refused", async () => {
    const client = readonlyClient(emu.url);
    const app = await client.createApplication(SEED.org, { name: "readonly-consumer" });
    const error = await failure(client.createContract(SEED.org, app.id, ORDERS));
    expect(error.status).toBe(403);
    expect(error.hint).toMatch(
      /Manage Contracts \(manage:api_contracts\) and Exchange Viewer \(read:exchange\)/,
    );
  });

  it("gives the per-application remedy for an application the connected app did not create", async () => {
    const error = await failure(
      fullClient(emu.url).updateApplication(SEED.org, SEED.legacyApp.id, { description: "mine now" }),
    );
    expect(error.status).toBe(403);
    expect(error.hint).toMatch(/manages only the client applications it created/);
    expect(error.hint).toMatch(/application 2690001/);
    expect(error.hint).toMatch(/per-application scope manage:client_application/);
    expect(error.hint).toMatch(/KB 001116119/);
  });

  it("says a missing read scope, not deletion, when a known application is absent from the admin list", async () => {
    const client = readonlyClient(emu.url);
    const app = await client.createApplication(SEED.org, { name: "visible-to-its-creator" });
    const error = await failure(client.findAdminApplication(SEED.org, app.id));
    expect(isAnypointError(error, "empty_list")).toBe(true);
    expect(error.status).toBe(200);
    expect(error.message).toMatch(/not proof that it was deleted/);
    expect(error.hint).toMatch(/read:client_applications/);
    expect(error.message).not.toMatch(/not found|no longer exists/i);
  });

  it("says gone only when the application's own GET answers 404", async () => {
    const client = readonlyClient(emu.url);
    const app = await client.createApplication(SEED.org, { name: "deleted-in-the-ui" });
    await emu.control.deleteApplication(app.id);
    const error = await failure(client.findAdminApplication(SEED.org, app.id));
    expect(isAnypointError(error, "not_found")).toBe(true);
    expect(error.status).toBe(404);
  });

  it("names the replacement of the retired Exchange v1 API listing", async () => {
    const error = await failure(
      fullClient(emu.url).get(`/exchange/api/v1/organizations/${SEED.org}/environments/${SEED.sandbox}/apis`),
    );
    expect(error.status).toBe(404);
    expect(error.message).toMatch(/retired/);
    expect(error.hint).toBe(
      `Use GET /apimanager/api/v1/organizations/${SEED.org}/environments/${SEED.sandbox}/apis (API Manager) to list API instances`,
    );
  });

  it("names the existing application on a duplicate name, in Anypoint's terms only", async () => {
    const client = fullClient(emu.url);
    const first = await client.createApplication(SEED.org, { name: "taken-name" });
    const error = await failure(client.createApplication(SEED.org, { name: "taken-name" }));
    expect(isAnypointError(error, "conflict")).toBe(true);
    expect(error.status).toBe(409);
    expect(error.hint).toContain(`"taken-name" already exists (id ${first.id})`);
    expect(error.hint).toMatch(/names are unique in the organization/);
    // What to do in a Pulumi program is the provider's to say (test/provider/advice.test.ts).
    expect(error.hint).not.toMatch(/adopt|pulumi/i);
  });

  it("names the existing pair on a second contract for the same application and API instance", async () => {
    const client = fullClient(emu.url);
    const app = await client.createApplication(SEED.org, { name: "one-contract-only" });
    await client.createContract(SEED.org, app.id, ORDERS);
    const error = await failure(client.createContract(SEED.org, app.id, ORDERS));
    expect(error.status).toBe(409);
    expect(error.hint).toMatch(
      new RegExp(`Application ${app.id} already has a contract with API instance ${SEED.apis.orders}`),
    );
    expect(error.hint).not.toMatch(/adopt|pulumi/i);
  });

  it("says which answer was unexpected without quoting it", async () => {
    await emu.control.setFaults([{ path: "/tiers$", status: 200, count: 1 }]);
    const error = await failure(fullClient(emu.url).listTiers(SEED.org, SEED.sandbox, SEED.apis.orders));
    expect(isAnypointError(error, "validation")).toBe(true);
    expect(error.hint).toMatch(/tiers/);
  });
});

/** Shows an error every way a person or a log may see it. */
function rendered(error: unknown): string {
  return [
    String(error),
    (error as Error).message,
    (error as Error).stack,
    JSON.stringify(error),
    util.inspect(error, { depth: 20, showHidden: true }),
  ].join("\n");
}

/** A misbehaving service that repeats everything it is sent, secrets included, in its answers. */
async function echoingService(): Promise<{ url: string; close(): Promise<void> }> {
  const server = http.createServer((req, res) => {
    let body = "";
    req.on("data", (chunk: Buffer) => (body += chunk.toString()));
    req.on("end", () => {
      const reply = (status: number, payload: unknown) => {
        res.writeHead(status, { "content-type": "application/json" });
        res.end(JSON.stringify(payload));
      };
      const fields = Object.fromEntries(new URLSearchParams(body));
      if (req.url === "/accounts/api/v2/oauth2/token") {
        if (fields.grant_type === "password")
          return reply(400, {
            error: "invalid_grant",
            error_description: `bad login ${fields.username}/${fields.password} for ${fields.client_secret}`,
          });
        return reply(200, {
          access_token: "tok-0123456789-SECRET-TOKEN",
          token_type: "bearer",
          expires_in: 3600,
        });
      }
      if (req.method === "POST" && req.url?.endsWith("/applications")) {
        return reply(201, {
          id: 1,
          name: "echo",
          clientId: "a".repeat(32),
          clientSecret: "AppSecret0123456789abcdefABCDEF01",
        });
      }
      reply(400, {
        message: `rejected ${req.headers.authorization} after issuing AppSecret0123456789abcdefABCDEF01 to client ${SEED.full.clientSecret}`,
      });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

describe("secrets", () => {
  const SECRETS = [
    SEED.full.clientSecret,
    SEED.demoUser.password,
    "tok-0123456789-SECRET-TOKEN",
    "AppSecret0123456789abcdefABCDEF01",
  ];
  const leaks = (text: string) => SECRETS.filter((secret) => text.includes(secret));

  it("keeps tokens, client secrets and application secrets out of errors even when the service repeats them", async () => {
    const service = await echoingService();
    const lines: string[] = [];
    try {
      const client = AnypointClient.fromOptions(
        {
          baseUrl: service.url,
          ...SEED.full,
          ...FAST_RETRIES,
          organizationId: SEED.org,
          logger: (line) => lines.push(line),
        },
        {},
      );
      const app = await client.createApplication(SEED.org, { name: "echo" });
      expect(app.clientSecret).toBe("AppSecret0123456789abcdefABCDEF01");
      const error = await failure(client.getApplication(SEED.org, app.id));
      expect(isAnypointError(error, "bad_request")).toBe(true);
      expect(error.serviceMessage).toMatch(/^rejected Bearer \*\*\* after issuing \*\*\* to client \*\*\*$/);
      expect(leaks(rendered(error))).toEqual([]);
      expect(lines.length).toBeGreaterThan(0);
      expect(leaks(lines.join("\n"))).toEqual([]);
    } finally {
      await service.close();
    }
  });

  it("keeps the password out of a refused password grant", async () => {
    const service = await echoingService();
    try {
      const client = AnypointClient.fromOptions({ baseUrl: service.url, ...SEED.full, ...SEED.demoUser }, {});
      const error = await failure(client.me());
      expect(error.serviceMessage).toBe("bad login demo-user/*** for ***");
      expect(leaks(rendered(error))).toEqual([]);
    } finally {
      await service.close();
    }
  });

  describe("against the emulator", () => {
    const emu = useEmulator();

    it("keeps the token out of a network failure (no HTTP exchange is attached)", async () => {
      const client = fullClient(emu.url, { maxAttempts: 2 });
      await client.authenticate();
      const [{ value: token }] = (await emu.control.tokens()).tokens;
      await emu.control.setFaults([{ path: "/tiers$", drop: true }]);
      const error = await failure(client.listTiers(SEED.org, SEED.sandbox, SEED.apis.orders));
      await emu.control.clearFaults();
      expect(isAnypointError(error, "network")).toBe(true);
      const text = rendered(error);
      expect(text).not.toContain(token);
      expect(text).not.toContain(SEED.full.clientSecret);
      expect(Object.keys(error)).not.toEqual(expect.arrayContaining(["config"]));
      expect(
        Object.keys(error).filter((key) => ["config", "request", "response", "cause"].includes(key)),
      ).toEqual([]);
    });

    it("keeps every secret out of the log of a whole session", async () => {
      const lines: string[] = [];
      const client = AnypointClient.fromOptions(
        {
          baseUrl: emu.url,
          ...SEED.full,
          ...SEED.demoUser,
          ...FAST_RETRIES,
          logger: (line) => lines.push(line),
        },
        {},
      );
      await emu.control.setFaults([{ path: "/applications$", method: "POST", status: 503, count: 1 }]);
      const app = await client.createApplication(SEED.org, { name: "logged-app" });
      const reset = await client.resetApplicationSecret(SEED.org, app.id);
      await client.createContract(SEED.org, app.id, ORDERS);
      await failure(client.createApplication(SEED.org, { name: "logged-app" }));
      const [{ value: token }] = (await emu.control.tokens()).tokens;
      const log = lines.join("\n");
      expect(lines.some((line) => line.startsWith("retrying POST"))).toBe(true);
      for (const secret of [
        token,
        SEED.full.clientSecret,
        SEED.demoUser.password,
        app.clientSecret!,
        reset.clientSecret!,
      ])
        expect(log).not.toContain(secret);
    });
  });
});
