import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { stringify } from "yaml";
import { parseConsumers } from "../../examples/contracts-as-data/consumers";
import { startEmulator, type RunningEmulator } from "../../emulator";
import { SEED } from "../support/harness";
import { emulatorState, exampleDir, exampleStack, type ExampleStack } from "./exampleProject";

// Premium on customers-api in Production (ARCHITECTURE.md, the emulator's default seed).
const CUSTOMERS_PRODUCTION_PREMIUM = 5100204;
const EXAMPLE_FILE = path.join(exampleDir("contracts-as-data"), "consumers.yaml");

describe("examples/contracts-as-data: validating the consumers file", () => {
  it("accepts the example's own consumers.yaml", () => {
    const catalog = parseConsumers(fs.readFileSync(EXAMPLE_FILE, "utf8"), "consumers.yaml");
    expect(catalog.consumers.map((c) => c.name)).toEqual(["mobile-banking", "partner-portal"]);
  });

  it("lists every problem with its location in one message", () => {
    const text = stringify({
      environments: { Sandbox: SEED.sandbox, Production: "prod" },
      consumers: [
        {
          name: "app-a",
          access: [{ assetId: "orders-api", versionGroup: "v1", environment: "Prod", tier: "Gold" }],
        },
        {
          name: "app-a",
          grantTypes: ["client_credential"],
          access: [
            { assetId: "payments-api", versionGroup: "v2", environment: "Sandbox" },
            { assetId: "payments-api", versionGroup: "v2", environment: "Sandbox", approve: true },
            { assetId: "orders-api", versionGroup: "v1", environment: "Sandbox", teir: "Gold" },
          ],
        },
      ],
    });
    expect(() => parseConsumers(text, "consumers.yaml")).toThrow(
      expect.objectContaining({
        message: expect.stringContaining("consumers.yaml is not valid:"),
        problems: expect.arrayContaining([
          "environments.Production: must be an environment id (a UUID)",
          expect.stringMatching(/^consumers\[1\]\.grantTypes\[0\]: /),
          expect.stringMatching(/^consumers\[1\]\.access\[2\]: .*teir/),
        ]),
      }),
    );
  });

  it("names unknown environments, duplicate names and duplicate APIs", () => {
    const text = stringify({
      environments: { Sandbox: SEED.sandbox },
      consumers: [
        {
          name: "app-a",
          access: [{ assetId: "orders-api", versionGroup: "v1", environment: "Prod", tier: "Gold" }],
        },
        {
          name: "app-a",
          access: [
            { assetId: "payments-api", versionGroup: "v2", environment: "Sandbox" },
            { assetId: "payments-api", versionGroup: "v2", environment: "Sandbox", approve: true },
          ],
        },
      ],
    });
    let problems: string[] = [];
    try {
      parseConsumers(text, "consumers.yaml");
    } catch (error) {
      problems = (error as { problems: string[] }).problems;
    }
    expect(problems).toEqual([
      'consumers[0].access[0].environment: unknown environment "Prod"; the file defines Sandbox',
      'consumers[1].name: "app-a" is already used by consumers[0]; application names are unique',
      "consumers[1].access[1]: payments-api v2 in Sandbox is already listed at access[0]; an application has one contract per API instance",
      "consumers[1].access[1].approve: approve applies to a tier that needs approval; name the tier",
    ]);
  });

  it("reports YAML syntax errors", () => {
    expect(() => parseConsumers("consumers: [\n  - name: x\n", "consumers.yaml")).toThrow(
      /consumers\.yaml is not valid:\n {2}- not valid YAML: /,
    );
  });
});

describe("examples/contracts-as-data through the Pulumi engine", () => {
  let emulator: RunningEmulator;
  let example: ExampleStack;
  let scratch: string;
  let ids: Record<string, number>;

  const useFile = async (content: unknown) => {
    const file = path.join(scratch, `consumers-${Date.now()}.yaml`);
    fs.writeFileSync(file, typeof content === "string" ? content : stringify(content));
    await example.stack.setConfig("anypoint-contracts-as-data:consumersFile", { value: file });
  };
  const contractsOf = async (applicationId: number) =>
    (await emulatorState(emulator.url)).contracts
      .filter((c) => c.applicationId === applicationId)
      .map((c) => ({ apiId: c.apiId ?? c.apiInstanceId, status: c.status, tierId: c.tierId ?? undefined }))
      .sort((a, b) => a.apiId! - b.apiId!);

  beforeAll(async () => {
    scratch = fs.mkdtempSync(path.join(os.tmpdir(), "contracts-as-data-"));
    emulator = await startEmulator({ port: 0 });
    example = await exampleStack("contracts-as-data", emulator.url);
  });

  afterAll(async () => {
    await example?.remove();
    await emulator?.close();
    fs.rmSync(scratch, { recursive: true, force: true });
  });

  it("turns the example's consumers.yaml into applications and contracts", async () => {
    const result = await example.stack.up();
    expect(result.summary.resourceChanges).toEqual({ create: 7 });
    expect(result.outputs.secrets.secret).toBe(true);

    const apps = result.outputs.applications.value;
    ids = { mobile: apps["mobile-banking"].applicationId, partner: apps["partner-portal"].applicationId };
    expect(apps["partner-portal"].contracts["customers-api v1 Production"]).toMatchObject({
      status: "APPROVED",
      tierId: CUSTOMERS_PRODUCTION_PREMIUM,
    });

    const state = await emulatorState(emulator.url);
    expect(state.applications.find((a) => a.id === ids.mobile)).toMatchObject({
      name: "mobile-banking",
      description: "Mobile banking app (iOS and Android). Owner: mobile-team@example.com",
    });
    expect(await contractsOf(ids.mobile)).toEqual([
      { apiId: SEED.apis.ordersSandbox, status: "APPROVED", tierId: SEED.tiers.ordersSilver },
      { apiId: SEED.apis.paymentsSandbox, status: "APPROVED", tierId: undefined },
    ]);
    expect(await contractsOf(ids.partner)).toEqual([
      { apiId: SEED.apis.customersSandbox, status: "APPROVED", tierId: SEED.tiers.customersFree },
      { apiId: SEED.apis.customersProduction, status: "APPROVED", tierId: CUSTOMERS_PRODUCTION_PREMIUM },
    ]);
  });

  it("fails before touching Anypoint when the file is invalid, naming the problem", async () => {
    const before = await emulatorState(emulator.url);
    await useFile({
      environments: { Sandbox: SEED.sandbox },
      consumers: [
        {
          name: "mobile-banking",
          access: [{ assetId: "orders-api", versionGroup: "v1", environment: "Prod" }],
        },
      ],
    });
    await expect(example.stack.up()).rejects.toThrow(
      /consumers-\d+\.yaml is not valid:\s+- consumers\[0\]\.access\[0\]\.environment: unknown environment "Prod"/,
    );
    expect(await emulatorState(emulator.url)).toEqual(before);
  });

  it("revokes access removed from the file and keeps the rest", async () => {
    const catalog = parseConsumers(fs.readFileSync(EXAMPLE_FILE, "utf8"), "consumers.yaml");
    catalog.consumers[0].access = catalog.consumers[0].access.filter((a) => a.assetId !== "payments-api");
    await useFile(catalog);
    const result = await example.stack.up();
    expect(result.summary.resourceChanges).toEqual({ delete: 1, same: 6 });
    expect(await contractsOf(ids.mobile)).toEqual([
      { apiId: SEED.apis.ordersSandbox, status: "APPROVED", tierId: SEED.tiers.ordersSilver },
    ]);
  });

  it("leaves nothing behind after destroy", async () => {
    const result = await example.stack.destroy();
    expect(result.summary.resourceChanges).toEqual({ delete: 6 });
    const state = await emulatorState(emulator.url);
    expect(state.applications.filter((a) => a.id === ids.mobile || a.id === ids.partner)).toEqual([]);
    expect(
      state.contracts.filter((c) => c.applicationId === ids.mobile || c.applicationId === ids.partner),
    ).toEqual([]);
  });
});
