import { execFile } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { enginePath } from "../../cli/pulumiCli";
import { startEmulator, type RunningEmulator } from "../../emulator";
import { SEED } from "../support/harness";
import { control, emulatorState, linkDependencies } from "./exampleProject";

interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

// examples/automation run as a service would run it: a node process, configured by environment.
describe("examples/automation (Automation API, inline program)", () => {
  let emulator: RunningEmulator;
  let dir: string;
  let stateDir: string;
  let applicationId: number;

  const run = (args: string[] = [], env: Record<string, string> = {}): Promise<RunResult> =>
    new Promise((resolve) => {
      execFile(
        process.execPath,
        ["-r", "ts-node/register/transpile-only", path.join(dir, "index.ts"), ...args],
        {
          cwd: dir,
          maxBuffer: 64 * 1024 * 1024,
          env: {
            ...process.env,
            PATH: enginePath(),
            PULUMI_HOME: path.join(stateDir, "home"),
            PULUMI_BACKEND_URL: `file://${path.join(stateDir, "backend")}`,
            PULUMI_CONFIG_PASSPHRASE: "automation-example-test",
            PULUMI_SKIP_UPDATE_CHECK: "true",
            PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION: "true",
            PULUMI_NODEJS_TRANSPILE_ONLY: "true",
            PULUMI_STACK: `test-${process.pid}`,
            ANYPOINT_BASE_URL: emulator.url,
            ANYPOINT_CLIENT_ID: SEED.full.clientId,
            ANYPOINT_CLIENT_SECRET: SEED.full.clientSecret,
            ANYPOINT_ENVIRONMENT_ID: SEED.sandbox,
            ...env,
          },
        },
        (error, stdout, stderr) =>
          resolve({ code: error ? (typeof error.code === "number" ? error.code : -1) : 0, stdout, stderr }),
      );
    });

  beforeAll(async () => {
    dir = linkDependencies("automation");
    stateDir = fs.mkdtempSync(path.join(os.tmpdir(), "anypoint-automation-"));
    fs.mkdirSync(path.join(stateDir, "backend"));
    fs.mkdirSync(path.join(stateDir, "home"));
    emulator = await startEmulator({ port: 0 });
  });

  afterAll(async () => {
    await emulator?.close();
    fs.rmSync(stateDir, { recursive: true, force: true });
  });

  it("creates the desired application and contracts, prints a summary and exits 0", async () => {
    const result = await run();
    expect(result.stderr).not.toContain("anypoint-automation:");
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('summary: up succeeded {"create":4}');
    expect(result.stdout).not.toContain(SEED.full.clientSecret);

    const app = (await emulatorState(emulator.url)).applications.find((a) => a.name === "billing-batch");
    expect(app).toBeDefined();
    applicationId = app!.id;
    expect(result.stdout).not.toContain(app!.clientSecret);
    const contracts = (await emulatorState(emulator.url)).contracts.filter(
      (c) => c.applicationId === app!.id,
    );
    expect(contracts.map((c) => [c.apiId ?? c.apiInstanceId, c.status, c.tierId ?? null]).sort()).toEqual(
      [
        [SEED.apis.paymentsSandbox, "APPROVED", null],
        [SEED.apis.customersSandbox, "APPROVED", SEED.tiers.customersFree],
      ].sort(),
    );
  });

  it("puts back a change made outside Pulumi on the next reconcile (refresh, then up)", async () => {
    await control(emulator.url, "PATCH", `/applications/${applicationId}`, {
      description: "edited in the UI",
    });
    const result = await run();
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('summary: up succeeded {"same":3,"update":1}');
    const app = (await emulatorState(emulator.url)).applications.find((a) => a.id === applicationId);
    expect(app?.description).toBe("Nightly billing batch");
  });

  it("exits 1 and names what is missing when the configuration is incomplete", async () => {
    const result = await run([], { ANYPOINT_ENVIRONMENT_ID: "" });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("anypoint-automation: set ANYPOINT_ENVIRONMENT_ID");
  });

  it("removes everything with --destroy", async () => {
    const result = await run(["--destroy"]);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('summary: destroy succeeded {"delete":4}');
    const state = await emulatorState(emulator.url);
    expect(state.applications.map((a) => a.name)).not.toContain("billing-batch");
    expect(state.contracts.filter((c) => c.applicationId === applicationId)).toEqual([]);
  });
});
