import {
  API,
  amApis,
  amContracts,
  ASSETS,
  contractRequest,
  E2,
  FULL,
  LEGACY_CONTRACT,
  R2,
  READONLY,
  ROOT,
  SANDBOX,
  type Session,
  start,
  startWithToken,
  TIER,
  xapiContract,
} from "./support";

interface App {
  id: number;
  name: string;
  clientId: string;
  clientSecret: string;
  masterOrganizationId: string;
}
interface ContractAnswer {
  id: number;
  status: string;
  tier?: { id: number };
  requestedTier?: { id: number };
}

describe("the emulator's rules (docs/anypoint.md sections 1-4)", () => {
  let s: Session;
  let token: string;

  beforeEach(async () => {
    ({ session: s, token } = await startWithToken());
  });
  afterEach(() => s.close());

  const createApp = async (name: string, as = token) => {
    const answer = await s.call("POST", E2, { token: as, body: { name, redirectUri: [], grantTypes: [] } });
    expect(answer.status).toBe(201);
    return answer.body as App;
  };
  const requestAccess = (appId: number, body: Record<string, unknown>, as = token) =>
    s.call("POST", `${E2}/${appId}/contracts`, { token: as, body });

  describe("tokens", () => {
    it("issues a bearer token for client credentials sent as JSON", async () => {
      const answer = await s.call("POST", "/accounts/api/v2/oauth2/token", {
        body: {
          grant_type: "client_credentials",
          client_id: FULL.clientId,
          client_secret: FULL.clientSecret,
        },
      });
      expect(answer).toMatchObject({ status: 200, body: { token_type: "bearer", expires_in: 3600 } });
    });

    it("issues a token for client credentials sent as a form", async () => {
      const answer = await s.call("POST", "/accounts/api/v2/oauth2/token", {
        form: {
          grant_type: "client_credentials",
          client_id: FULL.clientId,
          client_secret: FULL.clientSecret,
        },
      });
      expect(answer).toMatchObject({ status: 200, body: { token_type: "bearer" } });
    });

    it("issues a token for the password grant of a user without MFA", async () => {
      const answer = await s.call("POST", "/accounts/api/v2/oauth2/token", {
        form: {
          grant_type: "password",
          username: "demo-user",
          password: "Demo-Passw0rd!",
          client_id: FULL.clientId,
          client_secret: FULL.clientSecret,
        },
      });
      expect(answer.status).toBe(200);
      const me = await s.call("GET", "/accounts/api/me", {
        token: (answer.body as { access_token: string }).access_token,
      });
      expect(me.body).toMatchObject({ user: { username: "demo-user", organization: { id: ROOT } } });
    });

    it("refuses the password grant for a user with MFA", async () => {
      const answer = await s.call("POST", "/accounts/api/v2/oauth2/token", {
        body: {
          grant_type: "password",
          username: "mfa-user",
          password: "Mfa-Passw0rd!",
          client_id: FULL.clientId,
          client_secret: FULL.clientSecret,
        },
      });
      expect(answer).toMatchObject({ status: 400, body: { error: "invalid_grant" } });
    });

    it("refuses a wrong client secret with 401", async () => {
      const answer = await s.call("POST", "/accounts/api/v2/oauth2/token", {
        body: {
          grant_type: "client_credentials",
          client_id: FULL.clientId,
          client_secret: READONLY.clientSecret,
        },
      });
      expect(answer).toMatchObject({ status: 401, body: { error: "invalid_client" } });
    });

    it("answers 401 without a token and with an unknown one", async () => {
      expect((await s.call("GET", "/accounts/api/me")).status).toBe(401);
      expect((await s.call("GET", "/accounts/api/me", { token: "not-a-token" })).status).toBe(401);
    });

    it("answers 401 once a token's configured lifetime has passed", async () => {
      const short = await start({ tokenTtlSeconds: 1 });
      try {
        const answer = await short.call("POST", "/accounts/api/v2/oauth2/token", {
          body: {
            grant_type: "client_credentials",
            client_id: FULL.clientId,
            client_secret: FULL.clientSecret,
          },
        });
        const { access_token, expires_in } = answer.body as { access_token: string; expires_in: number };
        expect(expires_in).toBe(1);
        expect((await short.call("GET", "/accounts/api/me", { token: access_token })).status).toBe(200);
        await new Promise((resolve) => setTimeout(resolve, 1100));
        expect((await short.call("GET", "/accounts/api/me", { token: access_token })).status).toBe(401);
      } finally {
        await short.close();
      }
    });

    it("answers 401 after the control surface expires every token", async () => {
      await s.control.expireTokens();
      expect((await s.call("GET", "/accounts/api/me", { token })).status).toBe(401);
    });

    it("names the root organization in /me", async () => {
      const me = await s.call("GET", "/accounts/api/me", { token });
      expect(me.body).toMatchObject({
        client: { client_id: FULL.clientId },
        user: { organizationId: ROOT, organization: { id: ROOT, subOrganizationIds: [expect.any(String)] } },
      });
    });
  });

  describe("client applications", () => {
    it("creates an application with an integer id, a 32-hex client id and a mixed-case 32-hex secret", async () => {
      const app = await createApp("formats");
      expect(app).toMatchObject({ id: expect.any(Number), masterOrganizationId: ROOT });
      expect(Number.isInteger(app.id)).toBe(true);
      expect(app.clientId).toMatch(/^[0-9a-f]{32}$/);
      expect(app.clientSecret).toMatch(/^[0-9a-fA-F]{32}$/);
    });

    it("answers 409 for a second application with the same name", async () => {
      await createApp("twice");
      const answer = await s.call("POST", E2, { token, body: { name: "twice" } });
      expect(answer).toMatchObject({
        status: 409,
        body: { status: 409, message: expect.any(String), details: {} },
      });
    });

    it("gets, patches, resets the secret of and deletes an application it created", async () => {
      const app = await createApp("lifecycle");
      expect(await s.call("GET", `${E2}/${app.id}`, { token })).toMatchObject({
        status: 200,
        body: { id: app.id },
      });
      const patched = await s.call("PATCH", `${E2}/${app.id}`, { token, body: { description: "new" } });
      expect(patched).toMatchObject({
        status: 200,
        body: { description: "new", clientSecret: app.clientSecret },
      });
      const reset = await s.call("POST", `${E2}/${app.id}/secret/reset`, { token });
      expect(reset.status).toBe(201);
      const after = (await s.call("GET", `${E2}/${app.id}`, { token })).body as App;
      expect(after.clientSecret).not.toBe(app.clientSecret);
      expect((await s.call("DELETE", `${E2}/${app.id}`, { token })).status).toBe(204);
      expect(await s.call("GET", `${E2}/${app.id}`, { token })).toMatchObject({
        status: 404,
        body: { status: 404, details: {} },
      });
    });

    it("lists only the caller's own applications under E2, as a bare array", async () => {
      const app = await createApp("mine");
      const answer = await s.call("GET", E2, { token });
      expect(answer.body).toEqual([expect.objectContaining({ id: app.id })]);
    });

    it("lists own applications as the spec's list item: no client id, no secret, no url", async () => {
      const app = await createApp("listed-without-credentials");
      const [item] = (await s.call("GET", E2, { token })).body as Record<string, unknown>[];
      expect(item).toEqual({
        masterOrganizationId: ROOT,
        id: app.id,
        name: "listed-without-credentials",
        description: null,
        grantTypes: [],
        redirectUri: [],
      });
    });

    it("pages the R2 admin list and reports the total", async () => {
      for (const name of ["a1", "a2", "a3"]) await createApp(name);
      const answer = await s.call("GET", `${R2}?targetAdminSite=true&offset=1&limit=2`, { token });
      const body = answer.body as { applications: { id: number; coreServicesId: string }[]; total: number };
      expect(body.total).toBe(4);
      expect(body.applications).toHaveLength(2);
    });

    it("gets and deletes an application under R2", async () => {
      const app = await createApp("r2");
      expect(await s.call("GET", `${R2}/${app.id}`, { token })).toMatchObject({
        status: 200,
        body: { id: app.id, coreServicesId: app.clientId },
      });
      expect((await s.call("DELETE", `${R2}/${app.id}`, { token })).status).toBe(204);
      expect((await s.call("GET", `${R2}/${app.id}`, { token })).status).toBe(404);
    });
  });

  describe("contracts", () => {
    it("approves at once, without a tier, on an API that has no tiers", async () => {
      const app = await createApp("no-tiers");
      const answer = await requestAccess(
        app.id,
        contractRequest(API.paymentsSandbox, undefined, ASSETS.payments),
      );
      expect(answer).toMatchObject({ status: 201, body: { status: "APPROVED", clientId: app.clientId } });
      expect((answer.body as ContractAnswer).tier).toBeUndefined();
      expect(Number.isInteger((answer.body as ContractAnswer).id)).toBe(true);
    });

    it("approves at once on an auto-approve tier", async () => {
      const app = await createApp("silver");
      const answer = await requestAccess(app.id, contractRequest(API.ordersSandbox, TIER.silver));
      expect(answer).toMatchObject({ status: 201, body: { status: "APPROVED", tier: { id: TIER.silver } } });
    });

    it("leaves a contract PENDING with requestedTier on a tier that needs approval", async () => {
      const app = await createApp("gold");
      const answer = await requestAccess(app.id, contractRequest(API.ordersSandbox, TIER.gold));
      expect(answer).toMatchObject({
        status: 201,
        body: { status: "PENDING", requestedTier: { id: TIER.gold } },
      });
    });

    it("requires a tier when the API instance has tiers", async () => {
      const app = await createApp("tierless");
      const answer = await requestAccess(app.id, contractRequest(API.ordersSandbox));
      expect(answer).toMatchObject({ status: 400, body: { status: 400, details: {} } });
    });

    it("answers 409 for a second contract between the same application and API instance", async () => {
      const app = await createApp("again");
      await requestAccess(app.id, contractRequest(API.ordersSandbox, TIER.silver));
      const answer = await requestAccess(app.id, contractRequest(API.ordersSandbox, TIER.gold));
      expect(answer.status).toBe(409);
    });

    it("takes no new contract on a deprecated API instance", async () => {
      const app = await createApp("legacy");
      const answer = await requestAccess(
        app.id,
        contractRequest(API.legacySandbox, undefined, ASSETS.legacy),
      );
      expect(answer.status).toBe(400);
      expect((await s.control.state()).contracts.filter((c) => c.applicationId === app.id)).toEqual([]);
    });

    it("takes no new contract on a deprecated tier", async () => {
      const app = await createApp("bronze");
      const answer = await requestAccess(app.id, contractRequest(API.ordersSandbox, TIER.bronze));
      expect(answer.status).toBe(400);
    });

    it("lists an application's contracts lightly under E2", async () => {
      const app = await createApp("listed");
      const created = (await requestAccess(app.id, contractRequest(API.ordersSandbox, TIER.silver)))
        .body as ContractAnswer;
      const answer = await s.call("GET", `${E2}/${app.id}/contracts`, { token });
      expect(answer.body).toEqual([
        { id: created.id, status: "APPROVED", tier: expect.objectContaining({ id: TIER.silver }) },
      ]);
    });

    it("applies a consumer tier change to an auto-approve tier at once and leaves one that needs approval pending", async () => {
      const app = await createApp("tier-change");
      const created = (await requestAccess(app.id, contractRequest(API.ordersSandbox, TIER.silver)))
        .body as ContractAnswer;
      const toGold = await s.call("PATCH", `${E2}/${app.id}/contracts/${created.id}`, {
        token,
        body: { requestedTierId: TIER.gold },
      });
      // The PATCH answer shows the tier in force (the spec's example); the request waits in API Manager.
      expect(toGold.body).toMatchObject({ status: "APPROVED", tier: { id: TIER.silver } });
      expect(
        (await s.call("GET", `${amContracts(API.ordersSandbox)}/${created.id}`, { token })).body,
      ).toMatchObject({ tierId: TIER.silver, requestedTierId: TIER.gold });
      const approved = await s.call("POST", xapiContract(API.ordersSandbox, created.id, "approve"), {
        token,
        body: {},
      });
      expect(approved).toMatchObject({ status: 201, body: { tierId: TIER.gold, requestedTierId: null } });
    });

    it("approves and rejects pending contracts through XAPI", async () => {
      const first = await createApp("to-approve");
      const second = await createApp("to-reject");
      const a = (await requestAccess(first.id, contractRequest(API.ordersSandbox, TIER.gold)))
        .body as ContractAnswer;
      const b = (await requestAccess(second.id, contractRequest(API.ordersSandbox, TIER.gold)))
        .body as ContractAnswer;
      expect(
        await s.call("POST", xapiContract(API.ordersSandbox, a.id, "approve"), { token, body: {} }),
      ).toMatchObject({
        status: 201,
        body: { id: a.id, status: "APPROVED", tierId: TIER.gold },
      });
      expect(
        await s.call("POST", xapiContract(API.ordersSandbox, b.id, "reject"), { token, body: {} }),
      ).toMatchObject({
        status: 201,
        body: { id: b.id, status: "REJECTED" },
      });
    });

    it("revokes and restores a contract through XAPI, and revokes through an API Manager patch", async () => {
      const revoke = await s.call("POST", xapiContract(API.ordersSandbox, LEGACY_CONTRACT, "revoke"), {
        token,
        body: {},
      });
      expect(revoke).toMatchObject({
        status: 201,
        body: { status: "REVOKED", revokedDate: expect.any(String) },
      });
      const restore = await s.call("POST", xapiContract(API.ordersSandbox, LEGACY_CONTRACT, "restore"), {
        token,
        body: {},
      });
      expect(restore).toMatchObject({ status: 201, body: { status: "APPROVED" } });
      const patch = await s.call("PATCH", `${amContracts(API.ordersSandbox)}/${LEGACY_CONTRACT}`, {
        token,
        body: { status: "REVOKED" },
      });
      expect(patch).toMatchObject({ status: 200, body: { status: "REVOKED" } });
    });

    it("refuses to restore a contract that is not revoked, in API Manager's error shape", async () => {
      const answer = await s.call("POST", xapiContract(API.ordersSandbox, LEGACY_CONTRACT, "restore"), {
        token,
        body: {},
      });
      expect(answer).toMatchObject({ status: 409, body: { error: "Conflict", message: expect.any(String) } });
    });

    it("moves a contract to another tier through an API Manager patch", async () => {
      const answer = await s.call("PATCH", `${amContracts(API.ordersSandbox)}/${LEGACY_CONTRACT}`, {
        token,
        body: { tierId: TIER.gold },
      });
      expect(answer).toMatchObject({ status: 200, body: { tierId: TIER.gold, tier: { name: "Gold" } } });
    });

    it("deletes a revoked contract with 204 and then answers 404 in API Manager's shape", async () => {
      const url = `${amContracts(API.ordersSandbox)}/${LEGACY_CONTRACT}`;
      await s.call("POST", xapiContract(API.ordersSandbox, LEGACY_CONTRACT, "revoke"), { token, body: {} });
      expect((await s.call("DELETE", url, { token })).status).toBe(204);
      expect(await s.call("GET", url, { token })).toMatchObject({
        status: 404,
        body: { error: "Not Found", message: expect.any(String) },
      });
    });

    it("pages an API instance's contracts and filters them by status", async () => {
      const app = await createApp("paged");
      await requestAccess(app.id, contractRequest(API.ordersSandbox, TIER.gold));
      const all = await s.call("GET", `${amContracts(API.ordersSandbox)}?offset=0&limit=1`, { token });
      expect(all.body).toMatchObject({ total: 2, contracts: [expect.anything()] });
      const pending = await s.call("GET", `${amContracts(API.ordersSandbox)}?status=PENDING`, { token });
      expect(pending.body).toMatchObject({
        total: 1,
        contracts: [{ applicationId: app.id, status: "PENDING" }],
      });
    });

    it("names the application's client id coreServicesId in every API Manager answer, never clientId", async () => {
      const app = await createApp("core-services-id");
      const created = (await requestAccess(app.id, contractRequest(API.ordersSandbox, TIER.gold)))
        .body as ContractAnswer;
      const one = `${amContracts(API.ordersSandbox)}/${created.id}`;
      const answers = [
        ((await s.call("GET", amContracts(API.ordersSandbox), { token })).body as { contracts: unknown[] })
          .contracts,
        [(await s.call("GET", one, { token })).body],
        [(await s.call("PATCH", one, { token, body: { tierId: TIER.silver } })).body],
        [
          (await s.call("POST", xapiContract(API.ordersSandbox, created.id, "approve"), { token, body: {} }))
            .body,
        ],
      ].flat() as { applicationId: number; application: Record<string, unknown> }[];
      for (const contract of answers.filter((c) => c.applicationId === app.id)) {
        expect(contract.application).toMatchObject({ id: app.id, coreServicesId: app.clientId });
        expect(contract.application).not.toHaveProperty("clientId");
      }
      expect(answers.filter((c) => c.applicationId === app.id)).toHaveLength(4);
    });
  });

  describe("API instances and tiers", () => {
    it("pages the instance list over assets, not instances", async () => {
      const answer = await s.call("GET", `${amApis()}?offset=0&limit=2`, { token });
      const body = answer.body as {
        total: number;
        assets: { apis: { id: number; autodiscoveryInstanceName: string }[] }[];
      };
      expect(body.total).toBe(4);
      expect(body.assets).toHaveLength(2);
      expect(body.assets[0].apis[0].autodiscoveryInstanceName).toBe(`v1:${body.assets[0].apis[0].id}`);
    });

    it("filters the instance list by asset, version and label", async () => {
      const byAsset = await s.call("GET", `${amApis()}?assetId=customers-api`, { token });
      expect(byAsset.body).toMatchObject({
        total: 1,
        assets: [{ assetId: "customers-api", apis: [{ id: API.customersSandbox }] }],
      });
      const byLabel = await s.call("GET", `${amApis()}?instanceLabel=legacy-sandbox`, { token });
      expect(byLabel.body).toMatchObject({
        total: 1,
        assets: [{ apis: [{ id: API.legacySandbox, deprecated: true }] }],
      });
      const none = await s.call("GET", `${amApis()}?productVersion=v9`, { token });
      expect(none.body).toEqual({ total: 0, assets: [] });
    });

    it("gets one instance flat, and 404s for an instance of another environment", async () => {
      expect(await s.call("GET", `${amApis()}/${API.ordersSandbox}`, { token })).toMatchObject({
        status: 200,
        // getEnvironmentApi.yaml names the instance id apiId.
        body: { apiId: API.ordersSandbox, environmentId: SANDBOX, productVersion: "v1" },
      });
      expect((await s.call("GET", `${amApis()}/${API.ordersProduction}`, { token })).status).toBe(404);
    });

    it("lists an instance's tiers with their status and approval mode", async () => {
      const answer = await s.call("GET", `${amApis()}/${API.ordersSandbox}/tiers`, { token });
      expect(answer.body).toMatchObject({
        total: 3,
        tiers: [
          { id: TIER.gold, autoApprove: false, status: "ACTIVE" },
          { id: TIER.silver, autoApprove: true, status: "ACTIVE" },
          { id: TIER.bronze, status: "DEPRECATED" },
        ],
      });
    });

    it("looks up an asset's instances by version group in Exchange", async () => {
      const answer = await s.call(
        "GET",
        `/exchange/api/v2/assets/${ROOT}/orders-api/versionGroups/v1/instances`,
        { token },
      );
      expect((answer.body as { id: number }[]).map((instance) => instance.id).sort()).toEqual([
        API.ordersSandbox,
        API.ordersProduction,
      ]);
    });

    it("answers 404 on the retired Exchange v1 API list", async () => {
      const answer = await s.call(
        "GET",
        `/exchange/api/v1/organizations/${ROOT}/environments/${SANDBOX}/apis`,
        { token },
      );
      expect(answer.status).toBe(404);
    });
  });
});
