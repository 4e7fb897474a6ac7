import { Harness, SEED, writes, type DeclaredSpec } from "../support/harness";

// One stack goes through a whole life: create, no-op, in-place updates, drift, scope failures,
// destroy. The steps build on each other, as they would for a user.
describe("ClientApplication and ApiContract through the Pulumi engine", () => {
  let harness: Harness;

  const base = (): DeclaredSpec => ({
    applications: [
      {
        key: "mobile",
        name: "mobile-app",
        description: "Mobile banking",
        grantTypes: ["client_credentials"],
      },
      {
        key: "partner",
        name: "partner-portal",
        url: "https://partner.example.com",
        redirectUris: ["https://partner.example.com/callback"],
      },
    ],
    contracts: [
      // No tiers: approved at once.
      {
        key: "mobile-payments",
        application: "mobile",
        environmentId: SEED.sandbox,
        apiInstanceId: SEED.apis.paymentsSandbox,
      },
      // Auto-approve tier.
      {
        key: "mobile-orders",
        application: "mobile",
        environmentId: SEED.sandbox,
        apiInstanceId: SEED.apis.ordersSandbox,
        tierId: SEED.tiers.ordersSilver,
      },
      // Tier that needs approval, approved by the program.
      {
        key: "partner-customers",
        application: "partner",
        environmentId: SEED.sandbox,
        apiInstanceId: SEED.apis.customersSandbox,
        tierId: SEED.tiers.customersPremium,
        approve: true,
      },
      // Tier that needs approval, left for a person to approve.
      {
        key: "partner-orders-prod",
        application: "partner",
        environmentId: SEED.production,
        apiInstanceId: SEED.apis.ordersProduction,
        tierId: SEED.tiers.ordersProductionGold,
      },
    ],
  });

  // What the program declares now; each step changes it as a user would edit the program.
  let current: DeclaredSpec;
  const declare = async (spec: DeclaredSpec) => {
    current = spec;
    await harness.declare(spec);
  };
  const copy = (spec: DeclaredSpec): DeclaredSpec => JSON.parse(JSON.stringify(spec));

  beforeAll(async () => {
    harness = await Harness.start();
  });

  afterAll(async () => {
    await harness?.close();
  });

  it("creates applications and contracts, approving only where asked, with the secret kept secret", async () => {
    await declare(base());
    const result = await harness.stack.up();
    expect(result.summary.resourceChanges).toEqual({ create: 7 });

    const apps = result.outputs.applications;
    const mobile = apps.value.mobile;
    expect(mobile.clientId).toMatch(/^[0-9a-f]{32}$/);
    expect(mobile.clientSecret).toMatch(/^[0-9a-fA-F]{32}$/);

    const contracts = result.outputs.contracts.value;
    expect(contracts["mobile-payments"]).toMatchObject({ status: "APPROVED" });
    expect(contracts["mobile-orders"]).toMatchObject({ status: "APPROVED", tierId: SEED.tiers.ordersSilver });
    expect(contracts["partner-customers"]).toMatchObject({
      status: "APPROVED",
      tierId: SEED.tiers.customersPremium,
    });
    expect(contracts["partner-orders-prod"]).toMatchObject({
      status: "PENDING",
      requestedTierId: SEED.tiers.ordersProductionGold,
    });

    // The generated secret is stored encrypted, as a Pulumi secret.
    const exported = JSON.parse(await harness.local.exportState());
    const resource = exported.deployment.resources.find((r: { urn: string }) =>
      r.urn.endsWith("ClientApplication::mobile"),
    );
    expect(resource.outputs.clientSecret).toEqual(
      expect.objectContaining({ ciphertext: expect.any(String) }),
    );
    expect(resource.outputs.clientId).toBe(mobile.clientId);
    // Nothing that can be derived is recorded: the ids are the resource ids.
    expect(resource.outputs).not.toHaveProperty("applicationId");
    const contract = exported.deployment.resources.find((r: { urn: string }) =>
      r.urn.endsWith("ApiContract::mobile-payments"),
    );
    expect(Object.keys(contract.outputs).sort()).toEqual([
      "__provider",
      "apiInstanceId",
      "apiOrganizationId",
      "applicationId",
      "baseUrl",
      "environmentId",
      "status",
    ]);

    const state = await harness.state();
    const live = state.applications.find((app) => app.name === "mobile-app");
    expect(live).toMatchObject({
      id: mobile.applicationId,
      clientId: mobile.clientId,
      description: "Mobile banking",
    });
    expect(state.contracts.filter((c) => c.applicationId === mobile.applicationId)).toHaveLength(2);
    // The classes' applicationId and contractId (derived from the resource ids) name the live objects.
    expect(state.contracts.find((c) => c.id === contracts["mobile-payments"].contractId)).toMatchObject({
      applicationId: mobile.applicationId,
      apiId: SEED.apis.paymentsSandbox,
    });
  });

  it("reports no changes and sends no write on a second up", async () => {
    await harness.clearRequests();
    const result = await harness.stack.up();
    expect(result.summary.resourceChanges).toEqual({ same: 7 });
    expect(writes(await harness.requests())).toEqual([]);
  });

  it("refreshes a stack written before 0.2 (with the outputs no longer recorded) without a change", async () => {
    type Exported = { type: string; id: string; outputs: Record<string, unknown> }[];
    const written = await harness.stack.exportStack();
    const before02 = structuredClone(written);
    for (const resource of before02.deployment.resources as Exported) {
      if (resource.type.endsWith(":ClientApplication")) resource.outputs.applicationId = Number(resource.id);
      if (resource.type.endsWith(":ApiContract")) {
        Object.assign(resource.outputs, {
          contractId: Number(resource.id),
          clientId: "84e0dae60eee192888d8c2556aeb69ec",
          groupId: SEED.rootOrganizationId,
          assetId: "payments-api",
          assetVersion: "2.0.1",
          productVersion: "v2",
        });
      }
    }
    await harness.stack.importStack(before02);
    try {
      const refresh = await harness.stack.refresh();
      expect(refresh.summary.resourceChanges).toEqual({ same: 7 });
      const kept = (await harness.stack.exportStack()).deployment.resources as Exported;
      expect(kept.find((r) => r.type.endsWith(":ClientApplication"))?.outputs).toHaveProperty(
        "applicationId",
      );
      expect(kept.find((r) => r.type.endsWith(":ApiContract"))?.outputs).toHaveProperty(
        "assetId",
        "payments-api",
      );
    } finally {
      await harness.stack.importStack(written);
    }
  });

  it("updates in place: description, rename, secret rotation, tier change", async () => {
    const before = (await harness.stack.outputs()).applications.value;
    const spec = copy(current);
    spec.applications![0] = { ...spec.applications![0], description: "Mobile banking v2", secretRotation: 1 };
    spec.applications![1] = { ...spec.applications![1], name: "partner-portal-renamed" };
    spec.contracts![1] = { ...spec.contracts![1], tierId: SEED.tiers.ordersGold, approve: true };
    await declare(spec);

    // An update keeps the application's id, and applicationId is the id: the preview already
    // knows that the updated applications' contracts do not change (before 0.2 it could not, and
    // showed them as updates). Nothing is replaced, and the apply changes only what differs.
    const preview = await harness.stack.preview();
    expect(preview.changeSummary).toEqual({ same: 4, update: 3 });

    const result = await harness.stack.up();
    expect(result.summary.resourceChanges).toEqual({ same: 4, update: 3 });
    const after = result.outputs.applications.value;
    expect(after.mobile.clientId).toBe(before.mobile.clientId);
    expect(after.mobile.clientSecret).not.toBe(before.mobile.clientSecret);
    expect(after.partner.applicationId).toBe(before.partner.applicationId);
    expect(after.partner.name).toBe("partner-portal-renamed");
    expect(result.outputs.contracts.value["mobile-orders"]).toMatchObject({
      status: "APPROVED",
      tierId: SEED.tiers.ordersGold,
    });

    const state = await harness.state();
    expect(state.applications.find((app) => app.id === after.mobile.applicationId)).toMatchObject({
      description: "Mobile banking v2",
      clientSecret: after.mobile.clientSecret,
    });
    expect(state.applications.some((app) => app.name === "partner-portal-renamed")).toBe(true);
  });

  it("shows out-of-band changes on refresh and puts them back on the next up", async () => {
    const outputs = (await harness.stack.outputs()).applications.value;
    const contracts = (await harness.stack.outputs()).contracts.value;
    await harness.control("PATCH", `/applications/${outputs.mobile.applicationId}`, {
      description: "edited in the UI",
    });
    await harness.control("PATCH", `/contracts/${contracts["mobile-payments"].contractId}`, {
      status: "REVOKED",
    });
    await harness.control("DELETE", `/applications/${outputs.partner.applicationId}`);

    const refresh = await harness.stack.refresh();
    // mobile: update; mobile-payments: update; partner and (with it) its contracts: delete.
    expect(refresh.summary.resourceChanges).toMatchObject({ update: 2, delete: 3 });

    const result = await harness.stack.up();
    expect(result.summary.resourceChanges).toMatchObject({ update: 2, create: 3 });
    const state = await harness.state();
    expect(state.applications.find((app) => app.id === outputs.mobile.applicationId)?.description).toBe(
      "Mobile banking v2",
    );
    expect(state.contracts.find((c) => c.id === contracts["mobile-payments"].contractId)?.status).toBe(
      "APPROVED",
    );
    expect(state.applications.some((app) => app.name === "partner-portal-renamed")).toBe(true);

    const again = await harness.stack.up();
    expect(again.summary.resourceChanges).toEqual({ same: 7 });
  });

  it("announces a replacement at preview, before anything changes, when an input cannot be updated", async () => {
    const spec = copy(current);
    spec.applications![0] = { ...spec.applications![0], apiEndpoints: true };
    await harness.declare(spec);
    await harness.clearRequests();
    let previewText = "";
    const preview = await harness.stack.preview({ diff: true, onOutput: (line) => (previewText += line) });
    expect(preview.changeSummary.replace).toBe(1);
    expect(previewText).toMatch(/apiEndpoints/);
    expect(writes(await harness.requests())).toEqual([]);
    await harness.declare(current);
  });

  it("records a contract whose approval was refused, and approves it on the next up without a duplicate", async () => {
    const spec = copy(current);
    spec.contracts!.push({
      key: "mobile-customers",
      application: "mobile",
      environmentId: SEED.sandbox,
      apiInstanceId: SEED.apis.customersSandbox,
      tierId: SEED.tiers.customersPremium,
      approve: true,
    });
    await declare(spec);
    await harness.control("POST", "/faults", { rules: [{ method: "POST", path: "/approve$", status: 403 }] });
    try {
      await expect(harness.stack.up()).rejects.toThrow(
        /requested but not approved; it is recorded[\s\S]*manage:api_contracts/,
      );
    } finally {
      await harness.control("DELETE", "/faults");
    }

    const mobileId = (await harness.stack.outputs()).applications.value.mobile.applicationId;
    const recorded = JSON.parse(await harness.local.exportState()).deployment.resources.find(
      (r: { urn: string }) => r.urn.endsWith("::mobile-customers"),
    );
    expect(recorded.outputs).toMatchObject({
      status: "PENDING",
      requestedTierId: SEED.tiers.customersPremium,
    });

    const retry = await harness.stack.up();
    expect(retry.summary.resourceChanges).toEqual({ same: 7, update: 1 });
    expect(retry.outputs.contracts.value["mobile-customers"]).toMatchObject({ status: "APPROVED" });
    const live = (await harness.state()).contracts.filter(
      (c) => c.applicationId === mobileId && (c.apiId ?? c.apiInstanceId) === SEED.apis.customersSandbox,
    );
    expect(live).toHaveLength(1);
    expect(live[0].status).toBe("APPROVED");

    await declare({ ...spec, contracts: spec.contracts!.filter((c) => c.key !== "mobile-customers") });
    expect((await harness.stack.up()).summary.resourceChanges).toEqual({ same: 7, delete: 1 });
  });

  it("fails naming the missing scope, and records what it made", async () => {
    await harness.useCredentials(SEED.readonly);
    const spec = copy(current);
    spec.applications!.push({ key: "scoped", name: "scoped-app" });
    spec.contracts!.push({
      key: "scoped-payments",
      application: "scoped",
      environmentId: SEED.sandbox,
      apiInstanceId: SEED.apis.paymentsSandbox,
    });
    // The existing resources were made by another identity and are unchanged: up touches only the new ones.
    await declare(spec);
    await expect(harness.stack.up()).rejects.toThrow(/read:api_contracts|manage:api_contracts/);

    const state = JSON.parse(await harness.local.exportState());
    const scoped = state.deployment.resources.find((r: { urn: string }) => r.urn.endsWith("::scoped"));
    expect(scoped).toBeDefined(); // the application it could create is in state, not orphaned
    const live = await harness.state();
    expect(live.applications.filter((app) => app.name === "scoped-app")).toHaveLength(1);
  });

  it("fails a refresh whose credentials cannot read, and keeps every resource in state", async () => {
    const before = JSON.parse(await harness.local.exportState()).deployment.resources.length;
    await expect(harness.stack.refresh()).rejects.toThrow(/manage:client_application/);
    const after = JSON.parse(await harness.local.exportState()).deployment.resources.length;
    expect(after).toBe(before);

    // The identity that created scoped-app removes it; then the full-scope app takes over again.
    const spec = copy(current);
    spec.applications = spec.applications!.filter((app) => app.key !== "scoped");
    spec.contracts = spec.contracts!.filter((contract) => contract.key !== "scoped-payments");
    await declare(spec);
    const cleanup = await harness.stack.up();
    expect(cleanup.summary.resourceChanges).toMatchObject({ delete: 1 });
    expect((await harness.state()).applications.some((app) => app.name === "scoped-app")).toBe(false);
    // The engine keeps the provider's configuration from the last update (destroy uses it), so a
    // credentials change takes effect with an up.
    await harness.useCredentials(SEED.full);
    const back = await harness.stack.up();
    expect(back.summary.resourceChanges).toEqual({ same: 7 });
  });

  it.each([
    ["name", { applications: [{ key: "bad", description: "no name" }] }],
    ["grantTypes", { applications: [{ key: "bad", name: "bad", grantTypes: ["magic"] }] }],
    [
      "tierId",
      {
        contracts: [
          {
            key: "bad",
            applicationId: 1,
            environmentId: SEED.sandbox,
            apiInstanceId: SEED.apis.ordersSandbox,
            tierId: -5,
          },
        ],
      },
    ],
    [
      "environmentId",
      {
        contracts: [
          { key: "bad", applicationId: 1, environmentId: "sandbox", apiInstanceId: SEED.apis.ordersSandbox },
        ],
      },
    ],
  ])("refuses a bad %s at preview, before any request", async (field, extra) => {
    const spec = copy(current);
    spec.applications!.push(...((extra as DeclaredSpec).applications ?? []));
    spec.contracts!.push(...((extra as DeclaredSpec).contracts ?? []));
    await harness.declare(spec);
    await harness.clearRequests();
    await expect(harness.stack.preview()).rejects.toThrow(new RegExp(field));
    expect(await harness.requests()).toEqual([]);
    await harness.declare(current);
  });

  it("keeps secrets out of the state file and serializes only a small stub", async () => {
    const exported = await harness.local.exportState();
    const state = await harness.state();
    for (const app of state.applications) expect(exported).not.toContain(app.clientSecret);
    expect(exported).not.toContain(SEED.full.clientSecret);
    expect(exported).not.toContain(SEED.readonly.clientSecret);
    const resource = JSON.parse(exported).deployment.resources.find(
      (r: { type: string }) => r.type === "pulumi-nodejs:dynamic/anypoint:ClientApplication",
    );
    const provider: string = resource.inputs.__provider;
    // SDKs before 3.251 write the file's own path when the project's path holds the package name
    // (CI's oldest-SDK cell runs in such a folder): package.json exports it too (provider/stub.ts).
    expect(provider).toMatch(
      /require\("pulumi-anypoint\/(kinds\/ClientApplication|dist\/provider\/kinds\/ClientApplication\.js)"\)/,
    );
    expect(provider.length).toBeLessThan(6000);
    expect(provider).not.toMatch(/clientSecret|access_token|Bearer/);
  });

  it("destroys everything it made and nothing else", async () => {
    const result = await harness.stack.destroy();
    expect(result.summary.result).toBe("succeeded");
    const state = await harness.state();
    expect(state.applications.map((app) => app.name)).toEqual(["legacy-mobile-app"]);
    expect(state.contracts.every((c) => c.applicationId === 2690001)).toBe(true);
  });
});
