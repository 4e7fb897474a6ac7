import { AnypointClient, isAnypointError } from "../../client";
import { type Operation, REQUIREMENTS, requiredScopes } from "../../client/scopes";
import { defaultSeed, type SeedInput } from "../../emulator";
import { contractRequest, type Emulator, emulator, FAST_RETRIES, SEED } from "./support";

// The scope table (client/scopes.ts) against the emulator, which enforces scopes as
// docs/anypoint.md section 5 describes: every scope the table names is needed, and enough.

const MINIMAL = {
  clientId: "2e6a3b1c9d4f5e8a7b0c1d2e3f4a5b63",
  clientSecret: "D4e5F6a7B8c9D0e1F2a3B4c5D6e7F8a9",
};
const OWN_APP = 2680001;
const OWN_CONTRACT = 7320001;
const CUSTOMERS_CONTRACT = contractRequest("customers", SEED.tiers.customersFree);

type Grant = string | { scope: string; applicationId: number };

/** The default seed plus a connected app with exactly these grants, which created OWN_APP and its contract. */
function seedWith(scopes: Grant[]): SeedInput {
  const seed = defaultSeed();
  return {
    ...seed,
    connectedApps: [...seed.connectedApps, { ...MINIMAL, name: "minimal", organizationId: SEED.org, scopes }],
    applications: [
      ...(seed.applications ?? []),
      { id: OWN_APP, name: "minimal-own", owner: MINIMAL.clientId },
    ],
    contracts: [
      ...(seed.contracts ?? []),
      {
        id: OWN_CONTRACT,
        applicationId: OWN_APP,
        apiId: SEED.apis.orders,
        tierId: SEED.tiers.ordersSilver,
        status: "APPROVED",
      },
    ],
  };
}

const where = [SEED.org, SEED.sandbox, SEED.apis.orders] as const;

/** Each operation made on what the caller may act on: `app` is OWN_APP unless a case says otherwise. */
const CALLS: Partial<Record<Operation, (c: AnypointClient, app: number) => Promise<unknown>>> = {
  createApplication: (c) => c.createApplication(SEED.org, { name: "minimal-new" }),
  getApplication: (c, app) => c.getApplication(SEED.org, app),
  updateApplication: (c, app) => c.updateApplication(SEED.org, app, { description: "changed" }),
  deleteApplication: (c, app) => c.deleteApplication(SEED.org, app),
  resetApplicationSecret: (c, app) => c.resetApplicationSecret(SEED.org, app),
  listOwnApplications: (c) => c.listOwnApplications(SEED.org),
  listAllApplications: (c) => c.listAllApplications(SEED.org),
  createContract: (c, app) => c.createContract(SEED.org, app, CUSTOMERS_CONTRACT),
  listApplicationContracts: (c, app) => c.listApplicationContracts(SEED.org, app),
  changeContractTier: (c, app) =>
    c.changeContractTier(
      SEED.org,
      app,
      app === OWN_APP ? OWN_CONTRACT : SEED.legacyContract,
      SEED.tiers.ordersGold,
    ),
  listApiContracts: (c) => c.listApiContracts(...where),
  getApiContract: (c) => c.getApiContract(...where, OWN_CONTRACT),
  setApiContractTier: (c) => c.setApiContractTier(...where, OWN_CONTRACT, SEED.tiers.ordersGold),
  deleteApiContract: (c) => c.deleteApiContract(...where, OWN_CONTRACT),
  approveContract: (c) => c.approveContract(...where, OWN_CONTRACT),
  rejectContract: (c) => c.rejectContract(...where, OWN_CONTRACT),
  revokeContract: (c) => c.revokeContract(...where, OWN_CONTRACT),
  restoreContract: (c) => c.restoreContract(...where, OWN_CONTRACT),
  listApiInstances: (c) => c.listApiInstances(SEED.org, SEED.sandbox),
  getApiInstance: (c) => c.getApiInstance(...where),
  listTiers: (c) => c.listTiers(...where),
  findAssetInstances: (c) => c.findAssetInstances(SEED.org, "orders-api", "v1"),
};

/**
 * Scopes docs/anypoint.md section 5 requires that the emulator does not check: the table follows
 * the documentation there.
 */
const NOT_ENFORCED_BY_EMULATOR: Record<string, string> = {
  "changeContractTier read:exchange":
    "section 5: patching a contract needs Manage Contracts + Exchange Viewer",
};

/** Whether Anypoint refused the call for a missing permission (the admin list answers an empty 200). */
async function refused(operation: Operation, call: Promise<unknown>): Promise<boolean> {
  try {
    const result = await call;
    if (operation === "listAllApplications")
      return (result as { applications: { id: number }[] }).applications.every((app) => app.id !== OWN_APP);
    return false;
  } catch (error) {
    if (isAnypointError(error, "forbidden")) return true;
    if (isAnypointError(error)) return false; // 400, 404, 409: past the permission check
    throw error;
  }
}

describe("the scope table (client/scopes.ts)", () => {
  let emu: Emulator;
  const client = () => AnypointClient.fromOptions({ baseUrl: emu.url, ...MINIMAL, ...FAST_RETRIES }, {});
  const run = async (operation: Operation, grants: Grant[], app = OWN_APP) => {
    await emu.control.reset(seedWith(grants));
    return refused(operation, CALLS[operation]!(client(), app));
  };

  beforeAll(async () => {
    emu = await emulator();
  });
  afterAll(() => emu.close());

  const operations = Object.keys(CALLS) as Operation[];

  it.each(operations)("%s succeeds with exactly the scopes the table names", async (operation) => {
    expect(await run(operation, ["profile", ...requiredScopes(operation)])).toBe(false);
  });

  it.each(operations)("%s is refused without any one of the scopes the table names", async (operation) => {
    const scopes = requiredScopes(operation);
    const missing = [];
    for (const scope of scopes) {
      if (NOT_ENFORCED_BY_EMULATOR[`${operation} ${scope}`]) continue;
      if (!(await run(operation, ["profile", ...scopes.filter((other) => other !== scope)])))
        missing.push(scope);
    }
    // Any scope named here is one the call works without: the table asks for too much.
    expect(missing).toEqual([]);
  });

  const onOneApplication = operations.filter((operation) => REQUIREMENTS[operation].application);

  it.each(onOneApplication)(
    "%s on an application another identity created needs the per-application scope, as the table says",
    async (operation) => {
      const scopes = ["profile", ...requiredScopes(operation)];
      const perApplication = { scope: "manage:client_application", applicationId: SEED.legacyApp.id };
      expect(await run(operation, scopes, SEED.legacyApp.id)).toBe(true);
      expect(await run(operation, [...scopes, perApplication], SEED.legacyApp.id)).toBe(false);
      if (REQUIREMENTS[operation].application === "read")
        expect(await run(operation, [...scopes, "read:client_applications"], SEED.legacyApp.id)).toBe(false);
    },
  );

  it("names no scope for a call that is not made in these tests without saying why", () => {
    const untested = (Object.keys(REQUIREMENTS) as Operation[]).filter((operation) => !CALLS[operation]);
    // token and request need nothing; profile and View Environment are not checked by the emulator.
    expect(untested.sort()).toEqual(["listEnvironments", "me", "request", "token"]);
  });
});
