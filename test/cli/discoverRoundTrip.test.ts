import { execFile } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { promisify } from "node:util";
import { createLocalStack, type LocalStack } from "../../cli/stack";
import { pulumiBinDir } from "../../cli/pulumiCli";
import {
  controlClient,
  defaultSeed,
  type RunningEmulator,
  type SeedInput,
  startEmulator,
} from "../../emulator";
import { SEED } from "../support/harness";

// The heavy end-to-end test of discover and adopt: 300 applications and 600 contracts made
// outside Pulumi, a generated program, and the real engine (default parallelism). Needs `npm run build`.
jest.setTimeout(45 * 60_000);

const execFileAsync = promisify(execFile);
const ROOT = path.join(__dirname, "..", "..");
const MAIN = path.join(ROOT, "dist", "cli", "main.js");
const APPS = 300;
const FIRST_APP_ID = 3000001;

/** Instance and tier pairs the seeded contracts use (auto-approving tiers, or none). */
const TARGETS: { apiId: number; tierId?: number }[] = [
  { apiId: SEED.apis.ordersSandbox, tierId: SEED.tiers.ordersSilver },
  { apiId: SEED.apis.paymentsSandbox },
  { apiId: SEED.apis.customersSandbox, tierId: SEED.tiers.customersFree },
  { apiId: SEED.apis.ordersProduction, tierId: SEED.tiers.ordersProductionSilver },
  { apiId: SEED.apis.paymentsProduction },
  { apiId: 18800203, tierId: 5100203 },
];

/**
 * The default seed plus 300 applications created in the UI by `ui-admin`, each with two contracts,
 * and the per-application scope (KB 001116119) that lets the demo connected app manage them.
 * legacy-mobile-app keeps no such scope: discover must leave it out.
 */
function bigSeed(): SeedInput {
  const seed = defaultSeed();
  const applications = [...(seed.applications ?? [])];
  const contracts = [...(seed.contracts ?? [])];
  const grants = [];
  for (let i = 0; i < APPS; i++) {
    const id = FIRST_APP_ID + i;
    applications.push({
      id,
      name: `partner-${String(i).padStart(3, "0")}`,
      owner: "user:ui-admin",
      description: i % 3 === 0 ? `Partner ${i}` : undefined,
      url: i % 5 === 0 ? `https://partner-${i}.example.com` : undefined,
      redirectUri: i % 7 === 0 ? [`https://partner-${i}.example.com/callback`] : [],
      grantTypes: i % 2 === 0 ? ["client_credentials"] : [],
    });
    grants.push({ scope: "manage:client_application", applicationId: id });
    if (i === 0) {
      // Adoption takes what exists, even where a new request would be refused.
      contracts.push({ applicationId: id, apiId: SEED.apis.legacySandbox, status: "APPROVED" });
      contracts.push({
        applicationId: id,
        apiId: SEED.apis.ordersSandbox,
        tierId: SEED.tiers.ordersBronzeDeprecated,
        status: "APPROVED",
      });
    } else if (i % 50 === 1) {
      // Awaiting approval on Gold.
      contracts.push({
        applicationId: id,
        apiId: SEED.apis.ordersSandbox,
        tierId: SEED.tiers.ordersGold,
        status: "PENDING",
      });
      contracts.push({ applicationId: id, apiId: SEED.apis.paymentsSandbox, status: "APPROVED" });
    } else {
      for (const target of [TARGETS[i % 6], TARGETS[(i + 1) % 6]]) {
        contracts.push({ applicationId: id, apiId: target.apiId, tierId: target.tierId, status: "APPROVED" });
      }
    }
  }
  const demoApp = seed.connectedApps[0];
  seed.connectedApps[0] = { ...demoApp, scopes: [...demoApp.scopes, ...grants] };
  return { ...seed, applications, contracts };
}

describe("discover, then adopt with the real engine", () => {
  let emulator: RunningEmulator;
  let local: LocalStack;
  let workDir: string;
  let childEnv: NodeJS.ProcessEnv;

  beforeAll(async () => {
    emulator = await startEmulator({ port: 0, seed: bigSeed() });
    // Inside the repository: `require("pulumi-anypoint")` resolves to its dist/ by package self-reference.
    workDir = path.join(ROOT, "test", ".work", `adopt-${process.pid}-${Date.now()}`);
    fs.mkdirSync(workDir, { recursive: true });
    fs.writeFileSync(
      path.join(workDir, "Pulumi.yaml"),
      "name: adopted\nruntime:\n  name: nodejs\n  options:\n    typescript: true\nmain: index.ts\n",
    );
    // ts-node type-checks the generated program. A project that installs pulumi-anypoint resolves it
    // from node_modules; here TypeScript must follow the package's self-reference, which it does
    // only with node16 module resolution.
    fs.writeFileSync(
      path.join(workDir, "tsconfig.json"),
      JSON.stringify({
        compilerOptions: {
          strict: true,
          target: "es2022",
          module: "node16",
          moduleResolution: "node16",
          skipLibCheck: true,
        },
      }),
    );
    local = await createLocalStack({
      projectName: "adopted",
      workDir,
      // At 900 resources the file backend would rewrite the whole state after every step; the final
      // state is what this test checks, so save it once per operation (README, "Large stacks").
      env: { PULUMI_SKIP_CHECKPOINTS: "true" },
      config: {
        "anypoint:baseUrl": { value: emulator.url },
        "anypoint:clientId": { value: SEED.full.clientId },
        "anypoint:clientSecret": { value: SEED.full.clientSecret, secret: true },
      },
    });
    // The commands below find the selected stack and its config the way a person's shell would.
    childEnv = { ...process.env, ...local.envVars, PULUMI_HOME: path.join(local.stateDir, "home") };
    for (const key of Object.keys(childEnv)) if (key.startsWith("ANYPOINT_")) delete childEnv[key];
  });

  afterAll(async () => {
    await local?.stack.workspace.removeStack(local.stack.name, { force: true }).catch(() => undefined);
    await local?.dispose();
    await emulator?.close();
    if (workDir) fs.rmSync(workDir, { recursive: true, force: true });
  });

  it("adopts 300 applications and 600 contracts without creating any, then destroys them", async () => {
    const started = Date.now();
    const control = controlClient(emulator.url);
    const seeded = await control.state();
    expect(seeded.applications).toHaveLength(APPS + 1);
    expect(seeded.contracts).toHaveLength(2 * APPS + 1);

    // doctor and discover read the stack's config in the project folder (no ANYPOINT_* variables).
    const doctor = await execFileAsync("node", [MAIN, "doctor", "--json"], { cwd: workDir, env: childEnv });
    const report = JSON.parse(doctor.stdout) as {
      ok: boolean;
      source: string;
      checks: { id: string; detail: string }[];
    };
    expect(report.ok).toBe(true);
    expect(report.source).toContain(`stack ${local.stack.name} config`);
    expect(report.checks.find((check) => check.id === "applications.others")!.detail).toContain(
      "legacy-mobile-app",
    );

    await control.clearRequests();
    const discovered = await execFileAsync("node", [MAIN, "discover", "--out", "index.ts"], {
      cwd: workDir,
      env: childEnv,
      maxBuffer: 64 * 1024 * 1024,
    });
    expect(discovered.stderr).toContain("300 application(s) and 600 contract(s) declared with adopt: true");
    const program = fs.readFileSync(path.join(workDir, "index.ts"), "utf8");
    expect(program.match(/^const \w+ = new ClientApplication\(/gm)).toHaveLength(APPS);
    expect(program.match(/^const \w+ = new ApiContract\(/gm)).toHaveLength(2 * APPS);
    expect(program).toContain("applicationId: partner000.applicationId,");
    expect(program).toMatch(/\/\/ const legacyMobileApp = new ClientApplication/);
    for (const app of seeded.applications) {
      expect(program).not.toContain(app.clientSecret);
      expect(program).not.toContain(app.clientId);
    }
    const discoverLog = (await control.requests()).requests;
    expect(
      discoverLog.filter((entry) => entry.method !== "GET" && !entry.path.endsWith("/oauth2/token")),
    ).toEqual([]);

    // First up: every resource is an adoption; nothing is created in Anypoint.
    await control.clearRequests();
    const up = await local.stack.up();
    expect(up.summary.result).toBe("succeeded");
    // The engine counts adoptions as creates: 900 resources plus the stack itself.
    expect(up.summary.resourceChanges).toEqual({ create: 3 * APPS + 1 });
    const upLog = (await control.requests()).requests;
    expect(upLog.filter((entry) => entry.method !== "GET" && !entry.path.endsWith("/oauth2/token"))).toEqual(
      [],
    );
    expect(await control.state()).toEqual(seeded);

    // Second up: nothing to do.
    const again = await local.stack.up();
    expect(again.summary.resourceChanges).toEqual({ same: 3 * APPS + 1 });

    // Stop managing partner-001 and its contracts without deleting them: remove them from the state.
    const pulumi = path.join(pulumiBinDir(), "pulumi");
    const exported = JSON.parse(await local.exportState()) as {
      deployment: { resources: { urn: string; type: string; outputs?: Record<string, unknown> }[] };
    };
    const kept = exported.deployment.resources.filter(
      (resource) => resource.urn.endsWith("::partner-001") || resource.urn.includes("::partner-001/"),
    );
    expect(kept).toHaveLength(3);
    // Contracts first: the engine refuses to forget an application that contracts depend on.
    const contractsFirst = [
      ...kept.filter((resource) => resource.type.endsWith(":ApiContract")),
      ...kept.filter((resource) => resource.type.endsWith(":ClientApplication")),
    ];
    expect(contractsFirst).toHaveLength(3);
    for (const resource of contractsFirst) {
      await execFileAsync(pulumi, ["state", "delete", resource.urn, "--yes", "--stack", local.stack.name], {
        cwd: workDir,
        env: childEnv,
      });
    }

    const destroy = await local.stack.destroy();
    expect(destroy.summary.resourceChanges).toEqual({ delete: 3 * APPS + 1 - 3 });
    const after = await control.state();
    expect(after.applications.map((app) => app.name).sort()).toEqual(["legacy-mobile-app", "partner-001"]);
    expect(after.contracts.map((contract) => contract.applicationId).sort()).toEqual([
      2690001,
      FIRST_APP_ID + 1,
      FIRST_APP_ID + 1,
    ]);
    process.stdout.write(`discover/adopt round trip: ${Math.round((Date.now() - started) / 1000)} s\n`);
  });
});
