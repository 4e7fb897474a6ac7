import { defaultSeed, type SeedInput } from "../../emulator";
import {
  API,
  type Answer,
  amApis,
  amContracts,
  ASSETS,
  contractRequest,
  E2,
  EXCHANGE_403,
  LEGACY_APP,
  LEGACY_CONTRACT,
  R2,
  READONLY,
  ROOT,
  type Session,
  start,
  TIER,
  xapiContract,
} from "./support";

const ALL = [
  "profile",
  "create:client_applications",
  "read:client_applications",
  "manage:client_applications",
  "read:api_configuration",
  "read:api_contracts",
  "manage:api_contracts",
  "read:exchange",
];

/** A connected app of the test seed that holds every scope but `missing`. */
const without = (missing: string, index: number) => ({
  clientId: (index + 1).toString(16).padStart(32, "e"),
  clientSecret: "F".repeat(31) + index.toString(16),
  name: `without-${missing}`,
  organizationId: ROOT,
  scopes: ALL.filter((scope) => scope !== missing),
});

const PER_APP = { clientId: "ab".repeat(16), clientSecret: "Cd".repeat(16) };
/** An application (with a contract) created by the app that lacks manage:api_contracts. */
const OWN_APP = 2690002;
const OWN_CONTRACT = 7330002;

function seed(): SeedInput {
  const base = defaultSeed();
  return {
    ...base,
    connectedApps: [
      ...base.connectedApps,
      ...ALL.map(without),
      {
        ...PER_APP,
        name: "per-app-grant",
        organizationId: ROOT,
        scopes: ["profile", { scope: "manage:client_application", applicationId: LEGACY_APP }],
      },
    ],
    applications: [
      ...(base.applications ?? []),
      {
        id: OWN_APP,
        name: "own-app",
        owner: without("manage:api_contracts", ALL.indexOf("manage:api_contracts")).clientId,
      },
    ],
    contracts: [
      ...(base.contracts ?? []),
      {
        id: OWN_CONTRACT,
        applicationId: OWN_APP,
        apiId: API.ordersSandbox,
        tierId: TIER.silver,
        status: "APPROVED",
      },
    ],
  };
}

const manager403 = { error: "Forbidden", message: expect.stringContaining("") };

describe("scopes and ownership (docs/anypoint.md section 5)", () => {
  let s: Session;
  beforeEach(async () => {
    s = await start({ seed: seed() });
  });
  afterEach(() => s.close());

  const tokenWithout = (scope: string) => {
    const app = without(scope, ALL.indexOf(scope));
    return s.token({ clientId: app.clientId, clientSecret: app.clientSecret });
  };

  /** An application the caller created itself. */
  const ownApp = async (token: string) =>
    (await s.call("POST", E2, { token, body: { name: "own" } })).body as { id: number };

  const checks: {
    scope: string;
    what: string;
    family: "exchange" | "manager";
    call: (token: string) => Promise<Answer>;
  }[] = [
    {
      scope: "create:client_applications",
      what: "creating an application",
      family: "exchange",
      call: (token) => s.call("POST", E2, { token, body: { name: "nope" } }),
    },
    {
      scope: "read:api_configuration",
      what: "listing API instances",
      family: "manager",
      call: (token) => s.call("GET", amApis(), { token }),
    },
    {
      scope: "read:api_configuration",
      what: "getting an API instance",
      family: "manager",
      call: (token) => s.call("GET", `${amApis()}/${API.ordersSandbox}`, { token }),
    },
    {
      scope: "read:api_contracts",
      what: "listing an instance's tiers",
      family: "manager",
      call: (token) => s.call("GET", `${amApis()}/${API.ordersSandbox}/tiers`, { token }),
    },
    {
      scope: "read:api_contracts",
      what: "listing an instance's contracts",
      family: "manager",
      call: (token) => s.call("GET", amContracts(API.ordersSandbox), { token }),
    },
    {
      scope: "read:api_contracts",
      what: "getting a contract",
      family: "manager",
      call: (token) => s.call("GET", `${amContracts(API.ordersSandbox)}/${LEGACY_CONTRACT}`, { token }),
    },
    {
      scope: "manage:api_contracts",
      what: "requesting access",
      family: "exchange",
      call: async (token) => {
        const app = await ownApp(token);
        return s.call("POST", `${E2}/${app.id}/contracts`, {
          token,
          body: contractRequest(API.ordersSandbox, TIER.silver),
        });
      },
    },
    {
      scope: "read:exchange",
      what: "requesting access",
      family: "exchange",
      call: async (token) => {
        const app = await ownApp(token);
        return s.call("POST", `${E2}/${app.id}/contracts`, {
          token,
          body: contractRequest(API.paymentsSandbox, undefined, ASSETS.payments),
        });
      },
    },
    {
      scope: "read:exchange",
      what: "looking up an asset's instances",
      family: "exchange",
      call: (token) =>
        s.call("GET", `/exchange/api/v2/assets/${ROOT}/orders-api/versionGroups/v1/instances`, { token }),
    },
    {
      scope: "manage:api_contracts",
      what: "patching a contract in API Manager",
      family: "manager",
      call: (token) =>
        s.call("PATCH", `${amContracts(API.ordersSandbox)}/${LEGACY_CONTRACT}`, {
          token,
          body: { tierId: TIER.gold },
        }),
    },
    {
      scope: "manage:api_contracts",
      what: "deleting a contract",
      family: "manager",
      call: (token) => s.call("DELETE", `${amContracts(API.ordersSandbox)}/${LEGACY_CONTRACT}`, { token }),
    },
    ...["approve", "reject", "revoke", "restore"].map((action) => ({
      scope: "manage:api_contracts",
      what: `${action} through XAPI`,
      family: "manager" as const,
      call: (token: string) =>
        s.call("POST", xapiContract(API.ordersSandbox, LEGACY_CONTRACT, action), { token, body: {} }),
    })),
  ];

  it.each(checks.map((check) => [check.what, check.scope, check] as const))(
    "refuses %s without %s, with the family's 403 body",
    async (_what, scope, check) => {
      const answer = await check.call(await tokenWithout(scope));
      expect({ status: answer.status, body: answer.body }).toEqual({
        status: 403,
        body: check.family === "exchange" ? EXCHANGE_403 : manager403,
      });
    },
  );

  it("refuses a consumer tier change on its own application without manage:api_contracts", async () => {
    const answer = await s.call("PATCH", `${E2}/${OWN_APP}/contracts/${OWN_CONTRACT}`, {
      token: await tokenWithout("manage:api_contracts"),
      body: { requestedTierId: TIER.gold },
    });
    expect({ status: answer.status, body: answer.body }).toEqual({ status: 403, body: EXCHANGE_403 });
  });

  it("answers the empty 200 on the admin list without a read scope", async () => {
    const token = await s.token(READONLY);
    const answer = await s.call("GET", `${R2}?targetAdminSite=true`, { token });
    expect({ status: answer.status, body: answer.body }).toEqual({
      status: 200,
      body: { applications: [], total: 0 },
    });
    const full = await s.call("GET", `${R2}?targetAdminSite=true`, { token: await s.token() });
    expect((full.body as { total: number }).total).toBe(2);
  });

  it("lets a client-credentials app read, change and delete only the applications it created", async () => {
    const token = await s.token();
    for (const [method, path, body] of [
      ["PATCH", `${E2}/${LEGACY_APP}`, { description: "mine now" }],
      ["DELETE", `${E2}/${LEGACY_APP}`, undefined],
      ["POST", `${E2}/${LEGACY_APP}/secret/reset`, undefined],
      ["GET", `${E2}/${LEGACY_APP}/contracts`, undefined],
    ] as const) {
      const answer = await s.call(method, path, { token, body });
      expect({ method, status: answer.status, body: answer.body }).toEqual({
        method,
        status: 403,
        body: EXCHANGE_403,
      });
    }
    const own = (await s.call("POST", E2, { token, body: { name: "own" } })).body as { id: number };
    expect((await s.call("PATCH", `${E2}/${own.id}`, { token, body: { description: "ok" } })).status).toBe(
      200,
    );
  });

  it("shows another identity's application without its secret to a holder of read:client_applications", async () => {
    const answer = await s.call("GET", `${E2}/${LEGACY_APP}`, { token: await s.token() });
    expect(answer.status).toBe(200);
    expect(answer.body).not.toHaveProperty("clientSecret");
  });

  it("lets a connected app manage another identity's application once it holds manage:client_application for it", async () => {
    const token = await s.token(PER_APP);
    const answer = await s.call("PATCH", `${E2}/${LEGACY_APP}`, { token, body: { description: "granted" } });
    expect(answer).toMatchObject({
      status: 200,
      body: { description: "granted", clientSecret: expect.any(String) },
    });
    const other = (await s.call("POST", E2, { token: await s.token(), body: { name: "not-granted" } }))
      .body as { id: number };
    expect((await s.call("GET", `${E2}/${other.id}`, { token })).status).toBe(403);
  });

  it("lets a user with Manage Client Applications manage every application through the password grant", async () => {
    const token = await s.userToken("demo-user", "Demo-Passw0rd!");
    const answer = await s.call("PATCH", `${E2}/${LEGACY_APP}`, {
      token,
      body: { description: "by a user" },
    });
    expect(answer).toMatchObject({ status: 200, body: { description: "by a user" } });
  });
});
