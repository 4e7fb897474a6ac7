import { type AnypointClient, isAnypointError } from "../../client";
import { defaultSeed, type SeedInput } from "../../emulator";
import { type Emulator, emulator, failure, fullClient, requests, SEED } from "./support";

describe("client applications", () => {
  let emu: Emulator;
  let client: AnypointClient;
  beforeAll(async () => {
    emu = await emulator();
    client = fullClient(emu.url);
  });
  afterAll(() => emu.close());

  it("creates, reads, changes, resets the secret of, lists and deletes an application", async () => {
    const created = await client.createApplication(SEED.org, {
      name: "orders-portal",
      description: "Orders portal",
      url: "https://portal.example.com",
      redirectUri: ["https://portal.example.com/callback"],
      grantTypes: ["client_credentials"],
    });
    expect(created).toMatchObject({ name: "orders-portal", masterOrganizationId: SEED.org });
    expect(created.clientId).toMatch(/^[0-9a-f]{32}$/);
    expect(created.clientSecret).toMatch(/^[0-9a-fA-F]{32}$/);

    expect(await client.getApplication(SEED.org, created.id)).toMatchObject({
      id: created.id,
      clientSecret: created.clientSecret,
      redirectUri: ["https://portal.example.com/callback"],
    });

    const patched = await client.updateApplication(SEED.org, created.id, { description: "Orders portal v2" });
    expect(patched.description).toBe("Orders portal v2");

    const reset = await client.resetApplicationSecret(SEED.org, created.id);
    expect(reset.clientId).toBe(created.clientId);
    expect(reset.clientSecret).not.toBe(created.clientSecret);

    expect((await client.listOwnApplications(SEED.org)).map((app) => app.id)).toContain(created.id);
    const everyone = await client.listAllApplications(SEED.org);
    expect(everyone.applications.map((app) => app.id)).toEqual(expect.arrayContaining([created.id, 2690001]));
    expect(everyone.total).toBe(everyone.applications.length);
    expect((await client.findApplicationsByName(SEED.org, "orders-portal")).map((app) => app.id)).toEqual([
      created.id,
    ]);
    expect((await client.findAdminApplication(SEED.org, created.id)).name).toBe("orders-portal");

    await client.deleteApplication(SEED.org, created.id);
    expect(isAnypointError(await failure(client.getApplication(SEED.org, created.id)), "not_found")).toBe(
      true,
    );
    // Deleting what is already gone is not an error.
    await client.deleteApplication(SEED.org, created.id);
  });

  it("passes apiInstanceId on create for organizations with an external identity provider", async () => {
    await emu.control.clearRequests();
    const app = await client.createApplication(
      SEED.org,
      { name: "federated-app" },
      { apiInstanceId: SEED.apis.orders },
    );
    const [create] = await requests(emu.control, { method: "POST", path: /\/applications$/ });
    expect(create.query).toBe(`apiInstanceId=${SEED.apis.orders}`);
    await client.deleteApplication(SEED.org, app.id);
  });
});

describe("contracts, API instances and tiers", () => {
  let emu: Emulator;
  let client: AnypointClient;
  beforeAll(async () => {
    emu = await emulator();
    client = fullClient(emu.url);
  });
  afterAll(() => emu.close());

  async function requestAccess(appName: string, apiId: number, tierId?: number) {
    const app = await client.createApplication(SEED.org, { name: appName });
    const api = await client.getApiInstance(SEED.org, SEED.sandbox, apiId);
    const contract = await client.createContract(SEED.org, app.id, {
      acceptedTerms: true,
      instanceType: "api",
      organizationId: api.organizationId,
      groupId: api.groupId,
      assetId: api.assetId,
      version: api.assetVersion,
      versionGroup: api.productVersion,
      apiId,
      environmentId: SEED.sandbox,
      ...(tierId === undefined ? {} : { requestedTierId: tierId }),
    });
    return { app, contract };
  }

  it("requests access on an auto-approve tier, then walks the contract through its lifecycle", async () => {
    const { app, contract } = await requestAccess("lifecycle-app", SEED.apis.orders, SEED.tiers.ordersSilver);
    expect(contract).toMatchObject({ status: "APPROVED", clientId: app.clientId });
    expect(contract.tier?.id).toBe(SEED.tiers.ordersSilver);

    expect(await client.listApplicationContracts(SEED.org, app.id)).toEqual([
      expect.objectContaining({ id: contract.id, status: "APPROVED" }),
    ]);
    const onApi = await client.listApiContracts(SEED.org, SEED.sandbox, SEED.apis.orders);
    expect(onApi.map((c) => c.id)).toContain(contract.id);
    expect(
      await client.listApiContracts(SEED.org, SEED.sandbox, SEED.apis.orders, { status: "PENDING" }),
    ).toEqual([]);

    // Consumer asks for Gold, which needs approval: pending until the provider approves.
    await client.changeContractTier(SEED.org, app.id, contract.id, SEED.tiers.ordersGold);
    let managed = await client.getApiContract(SEED.org, SEED.sandbox, SEED.apis.orders, contract.id);
    expect(managed).toMatchObject({
      tierId: SEED.tiers.ordersSilver,
      requestedTierId: SEED.tiers.ordersGold,
    });
    managed = await client.approveContract(SEED.org, SEED.sandbox, SEED.apis.orders, contract.id);
    expect(managed).toMatchObject({ status: "APPROVED", tierId: SEED.tiers.ordersGold });

    // The provider sets the tier directly.
    managed = await client.setApiContractTier(
      SEED.org,
      SEED.sandbox,
      SEED.apis.orders,
      contract.id,
      SEED.tiers.ordersSilver,
    );
    expect(managed.tierId).toBe(SEED.tiers.ordersSilver);

    expect((await client.revokeContract(SEED.org, SEED.sandbox, SEED.apis.orders, contract.id)).status).toBe(
      "REVOKED",
    );
    expect((await client.restoreContract(SEED.org, SEED.sandbox, SEED.apis.orders, contract.id)).status).toBe(
      "APPROVED",
    );
    await client.revokeContract(SEED.org, SEED.sandbox, SEED.apis.orders, contract.id);
    await client.deleteApiContract(SEED.org, SEED.sandbox, SEED.apis.orders, contract.id);
    const gone = await failure(client.getApiContract(SEED.org, SEED.sandbox, SEED.apis.orders, contract.id));
    expect(isAnypointError(gone, "not_found")).toBe(true);
  });

  it("rejects a pending contract", async () => {
    const { contract } = await requestAccess("pending-app", SEED.apis.customers, SEED.tiers.customersPremium);
    expect(contract.status).toBe("PENDING");
    expect(contract.requestedTier?.id).toBe(SEED.tiers.customersPremium);
    const rejected = await client.rejectContract(SEED.org, SEED.sandbox, SEED.apis.customers, contract.id);
    expect(rejected.status).toBe("REJECTED");
  });

  it("approves a contract at once on an API without tiers", async () => {
    const { contract } = await requestAccess("tierless-app", SEED.apis.payments);
    expect(contract.status).toBe("APPROVED");
    expect(contract.tier ?? undefined).toBeUndefined();
  });

  it("lists API instances with filters, gets one, and finds them by asset coordinates", async () => {
    const sandbox = await client.listApiInstances(SEED.org, SEED.sandbox);
    expect(sandbox.map((api) => api.id).sort()).toEqual([18800101, 18800102, 18800103, 18800104]);
    expect(
      sandbox.every((api) => api.environmentId === SEED.sandbox && api.organizationId === SEED.org),
    ).toBe(true);

    await emu.control.clearRequests();
    const orders = await client.listApiInstances(SEED.org, SEED.production, {
      assetId: "orders-api",
      productVersion: "v1",
    });
    expect(orders.map((api) => api.id)).toEqual([SEED.apis.ordersProd]);
    const [call] = await requests(emu.control, { method: "GET" });
    expect(new URLSearchParams(call.query).get("assetId")).toBe("orders-api");

    const one = await client.getApiInstance(SEED.org, SEED.sandbox, SEED.apis.legacy);
    expect(one).toMatchObject({ assetId: "legacy-api", deprecated: true, productVersion: "v0" });

    const byAsset = await client.findAssetInstances(SEED.org, "orders-api", "v1");
    expect(byAsset.map((api) => Number(api.id)).sort()).toEqual([SEED.apis.orders, SEED.apis.ordersProd]);
  });

  it("lists an API instance's tiers", async () => {
    const tiers = await client.listTiers(SEED.org, SEED.sandbox, SEED.apis.orders);
    expect(tiers.map((tier) => [tier.id, tier.name, tier.status, tier.autoApprove])).toEqual([
      [5100101, "Gold", "ACTIVE", false],
      [5100102, "Silver", "ACTIVE", true],
      [5100103, "Bronze", "DEPRECATED", true],
    ]);
    expect(await client.listTiers(SEED.org, SEED.sandbox, SEED.apis.payments)).toEqual([]);
  });
});

/** The default seed plus 260 applications of the full connected app, each with a contract on orders-api, and 130 more assets. */
function bulkSeed(): SeedInput {
  const seed = defaultSeed();
  const apps = Array.from({ length: 260 }, (_, index) => ({
    id: 2600001 + index,
    name: `bulk-app-${String(index).padStart(3, "0")}`,
    owner: SEED.full.clientId,
  }));
  const assets = Array.from({ length: 130 }, (_, index) => ({
    id: 19000001 + index * 2,
    organizationId: SEED.org,
    environmentId: SEED.sandbox,
    assetId: `bulk-asset-${index}`,
    assetVersion: "1.0.0",
    productVersion: "v1",
    instanceLabel: `bulk-${index}-a`,
  }));
  // Every tenth asset has a second instance: instances outnumber assets.
  const second = assets
    .filter((_, index) => index % 10 === 0)
    .map((api) => ({ ...api, id: api.id + 1, instanceLabel: api.instanceLabel.replace(/a$/, "b") }));
  return {
    ...seed,
    apis: [...seed.apis, ...assets, ...second],
    applications: [...(seed.applications ?? []), ...apps],
    contracts: [
      ...(seed.contracts ?? []),
      ...apps.map((app) => ({
        applicationId: app.id,
        apiId: SEED.apis.orders,
        tierId: SEED.tiers.ordersSilver,
      })),
    ],
  };
}

describe("paging", () => {
  let emu: Emulator;
  let client: AnypointClient;
  beforeAll(async () => {
    emu = await emulator({ seed: bulkSeed() });
    client = fullClient(emu.url);
  });
  afterAll(() => emu.close());
  beforeEach(() => emu.control.clearRequests());

  const offsets = async (path: RegExp) =>
    (await requests(emu.control, { method: "GET", path })).map((entry) =>
      new URLSearchParams(entry.query).get("offset"),
    );

  it("pages through all of the caller's own applications, past 250", async () => {
    const own = await client.listOwnApplications(SEED.org);
    expect(own).toHaveLength(260);
    expect(new Set(own.map((app) => app.id)).size).toBe(260);
    expect(await offsets(/^\/exchange\/api\/v2\/organizations\/[^/]+\/applications$/)).toEqual(["0", "250"]);
  });

  it("pages through the admin list, past 250", async () => {
    const { applications, total } = await client.listAllApplications(SEED.org);
    expect(total).toBe(261);
    expect(applications).toHaveLength(261);
    expect(new Set(applications.map((app) => app.id)).size).toBe(261);
    expect(await offsets(/^\/apiplatform\//)).toEqual(["0", "250"]);
  });

  it("pages through an API instance's contracts, past 250", async () => {
    const contracts = await client.listApiContracts(SEED.org, SEED.sandbox, SEED.apis.orders);
    expect(contracts).toHaveLength(261);
    expect(new Set(contracts.map((contract) => contract.id)).size).toBe(261);
    expect(await offsets(/\/contracts$/)).toEqual(["0", "250"]);
  });

  it("pages API instances by asset, not by instance", async () => {
    const instances = await client.listApiInstances(SEED.org, SEED.sandbox);
    // 4 seeded + 130 assets + 13 second instances.
    expect(instances).toHaveLength(147);
    expect(new Set(instances.map((api) => api.id)).size).toBe(147);
    const pages = await requests(emu.control, { method: "GET", path: /\/apis$/ });
    expect(pages.map((entry) => entry.status)).toEqual([200, 200]);
    expect(pages.map((entry) => new URLSearchParams(entry.query).get("offset"))).toEqual(["0", "100"]);
  });
});
