import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { createLocalStack, type LocalStack } from "../../cli/stack";
import { controlRequest, startEmulator } from "../../emulator";
import { getApiInstance, getTier } from "../../provider";
import { Harness, SEED } from "../support/harness";

const KINDS = ["ClientApplication", "ApiContract"] as const;

// The two paths by which the SDK may write a kind into state (provider/stub.ts): the short export
// that current SDKs write, and the file's own path that older ones write when the project's path
// holds the package name. Both must load the same file; the short one must come later, as the
// SDK takes the later of two exports of one file.
describe("package.json exports for each kind", () => {
  const manifest = require("../../package.json") as { exports: Record<string, { default: string }> };
  const keys = Object.keys(manifest.exports);

  it.each(KINDS)("%s: the short path, and the file's own path before it, name the same file", (kind) => {
    const short = `./kinds/${kind}`;
    const own = `./dist/provider/kinds/${kind}.js`;
    expect(manifest.exports[short]?.default).toBe(own);
    expect(manifest.exports[own]?.default).toBe(own);
    expect(keys.indexOf(own)).toBeLessThan(keys.indexOf(short));
  });
});

// What every resource carries in state besides its own fields: the serialized provider, twice
// (inputs and outputs). It must be a reference to the installed package, not code: small, free of
// credentials, and resolved again by each run (so refresh and destroy run the installed code).
describe("the provider recorded in state", () => {
  let harness: Harness;

  beforeAll(async () => {
    harness = await Harness.start();
    await harness.declare({
      applications: [{ key: "app", name: "serialization-app", grantTypes: ["client_credentials"] }],
      contracts: [
        {
          key: "app-payments",
          application: "app",
          environmentId: SEED.sandbox,
          apiInstanceId: SEED.apis.paymentsSandbox,
        },
        {
          key: "app-orders",
          application: "app",
          environmentId: SEED.sandbox,
          apiInstanceId: SEED.apis.ordersSandbox,
          tierId: SEED.tiers.ordersSilver,
        },
      ],
    });
    const result = await harness.stack.up();
    expect(result.summary.result).toBe("succeeded");
  });

  afterAll(async () => {
    if (harness) {
      await harness.stack.destroy().catch(() => undefined);
      await harness.close();
    }
  });

  it.each(KINDS)(
    'is require("pulumi-anypoint/kinds/%s"), a few hundred characters, with no credential',
    async (kind) => {
      const exported = await harness.local.exportState();
      const resources = (
        JSON.parse(exported) as {
          deployment: {
            resources: { type: string; inputs: { __provider: string }; outputs: { __provider: string } }[];
          };
        }
      ).deployment.resources.filter((r) => r.type === `pulumi-nodejs:dynamic/anypoint:${kind}`);
      expect(resources.length).toBeGreaterThan(0);
      const state = await harness.state();
      const app = state.applications.find((a) => a.name === "serialization-app");
      expect(app).toBeDefined();
      for (const resource of resources) {
        for (const provider of [resource.inputs.__provider, resource.outputs.__provider]) {
          // The demo and the tests take the path of an installed package: the build installs the
          // checkout into its own node_modules (scripts/install-checkout.js, `npm run build`).
          expect(provider).toContain(`require("pulumi-anypoint/kinds/${kind}")`);
          expect(provider.length).toBeLessThan(400);
          expect(provider).not.toMatch(/secret|password|token|bearer|authorization/i);
          for (const credential of [SEED.full.clientId, SEED.full.clientSecret, app!.clientSecret]) {
            expect(provider).not.toContain(credential);
          }
        }
      }
    },
  );
});

// getApiInstance and getTier run in the program process: within one process each distinct list
// is asked for once, with one token, however many calls and tier names use it.
describe("lookups within one program run", () => {
  it("send one token, one root-organization lookup and one request per distinct instance and tier list", async () => {
    const emulator = await startEmulator({ port: 0 });
    let local: LocalStack | undefined;
    try {
      local = await createLocalStack({
        projectName: "lookups",
        main: path.join(__dirname, "..", ".."),
        program: async () => {
          const environmentId = SEED.sandbox;
          const [payments, paymentsAgain, orders] = await Promise.all([
            getApiInstance({ environmentId, assetId: "payments-api" }),
            getApiInstance({ environmentId, assetId: "payments-api" }),
            getApiInstance({ environmentId, assetId: "orders-api", productVersion: "v1" }),
          ]);
          const tiers = await Promise.all(
            ["Gold", "Silver", "Gold"].map((name) =>
              getTier({ environmentId, apiInstanceId: orders.id, name }),
            ),
          );
          const ordersAgain = await getApiInstance({
            environmentId,
            assetId: "orders-api",
            productVersion: "v1",
          });
          return {
            ids: pulumi.output([payments.id, paymentsAgain.id, orders.id, ordersAgain.id]),
            tiers: tiers.map((tier) => tier.id),
          };
        },
        config: {
          "anypoint:baseUrl": { value: emulator.url },
          "anypoint:clientId": { value: SEED.full.clientId },
          "anypoint:clientSecret": { value: SEED.full.clientSecret, secret: true },
        },
      });
      await controlRequest(emulator.url, "DELETE", "/requests");
      const result = await local.stack.up();
      expect(result.outputs.ids.value).toEqual([
        SEED.apis.paymentsSandbox,
        SEED.apis.paymentsSandbox,
        SEED.apis.ordersSandbox,
        SEED.apis.ordersSandbox,
      ]);
      expect(result.outputs.tiers.value).toEqual([
        SEED.tiers.ordersGold,
        SEED.tiers.ordersSilver,
        SEED.tiers.ordersGold,
      ]);
      const log = await requestLog(emulator.url);
      const routes = log.map((entry) => `${entry.method} ${entry.path.split("?")[0]}`).sort();
      const org = SEED.rootOrganizationId;
      const apis = `/apimanager/api/v1/organizations/${org}/environments/${SEED.sandbox}/apis`;
      expect(routes.filter((route) => route.endsWith("/oauth2/token"))).toHaveLength(1);
      expect(routes.filter((route) => route === "GET /accounts/api/me")).toHaveLength(1);
      expect(routes.filter((route) => route === `GET ${apis}`)).toHaveLength(2);
      expect(
        routes.filter((route) => route.startsWith(`GET ${apis}/${SEED.apis.ordersSandbox}/tiers`)),
      ).toHaveLength(1);
      expect(log).toHaveLength(5);
    } finally {
      await local?.stack.workspace.removeStack(local.stack.name, { force: true }).catch(() => undefined);
      await local?.dispose();
      await emulator.close();
    }
  });
});

async function requestLog(url: string): Promise<{ method: string; path: string }[]> {
  type Entry = { method: string; path: string };
  const log = await controlRequest<{ requests: Entry[] } | Entry[]>(url, "GET", "/requests");
  return Array.isArray(log) ? log : log.requests;
}
