import { execFile } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { parse } from "yaml";
import { startEmulator, type RunningEmulator } from "../../emulator";
import { SEED } from "../support/harness";
import { control, emulatorState, exampleDir, exampleStack, type ExampleStack } from "./exampleProject";

interface ScriptResult {
  code: number;
  output: string;
}

/** Runs examples/gitops/drift-check.sh as a CI job would: the CLI on PATH, in the project folder. */
function driftCheck(example: ExampleStack, env: Record<string, string> = {}): Promise<ScriptResult> {
  return new Promise((resolve) => {
    execFile(
      "bash",
      [path.join(example.workDir, "drift-check.sh"), example.stack.name],
      { cwd: example.workDir, env: { ...example.cliEnv, ...env }, maxBuffer: 64 * 1024 * 1024 },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === "number" ? error.code : -1) : 0;
        resolve({ code, output: `${stdout}\n${stderr}` });
      },
    );
  });
}

describe("examples/gitops drift check (drift-check.sh)", () => {
  let emulator: RunningEmulator;
  let example: ExampleStack;
  let secrets: string[];
  let applicationId: number;
  let customersContractId: number;

  const expectNoSecrets = (output: string) => {
    for (const secret of secrets) expect(output).not.toContain(secret);
  };

  beforeAll(async () => {
    emulator = await startEmulator({ port: 0 });
    example = await exampleStack("gitops", emulator.url, {
      "anypoint-gitops:environmentId": { value: SEED.sandbox },
    });
    const result = await example.stack.up();
    expect(result.summary.resourceChanges).toEqual({ create: 4 });
    applicationId = result.outputs.applicationId.value;
    customersContractId = result.outputs.contracts.value.customers.contractId;
    secrets = [SEED.full.clientSecret, result.outputs.clientSecret.value];
  });

  afterAll(async () => {
    await example?.remove();
    await emulator?.close();
  });

  it("exits 0 when Anypoint matches the stack", async () => {
    const result = await driftCheck(example);
    expect(result.output).toContain("drift-check: no drift");
    expect(result.code).toBe(0);
    expectNoSecrets(result.output);
  });

  it("exits 1 and names the resources and properties after a change made outside Pulumi", async () => {
    await control(emulator.url, "PATCH", `/applications/${applicationId}`, {
      description: "edited in the UI",
    });
    await control(emulator.url, "PATCH", `/contracts/${customersContractId}`, { status: "REVOKED" });

    const result = await driftCheck(example);
    expect(result.code).toBe(1);
    expect(result.output).toContain("DRIFT ClientApplication partner-portal: changed: description");
    expect(result.output).toMatch(/DRIFT ApiContract partner-portal-customers: changed: .*status/);
    expect(result.output).not.toContain("partner-portal-payments:");
    expect(result.output).not.toContain("edited in the UI");
    expectNoSecrets(result.output);
  });

  it("writes nothing: the drift is still reported on the next run", async () => {
    const result = await driftCheck(example);
    expect(result.code).toBe(1);
    expect(result.output).toContain("DRIFT ClientApplication partner-portal");
  });

  it("exits 0 again once `up --refresh` has restored the declared state", async () => {
    const up = await example.stack.up({ refresh: true });
    expect(up.summary.result).toBe("succeeded");
    const state = await emulatorState(emulator.url);
    expect(state.applications.find((a) => a.id === applicationId)?.description).toBe(
      "Partner self-service portal",
    );
    expect(state.contracts.find((c) => c.id === customersContractId)?.status).toBe("APPROVED");

    const result = await driftCheck(example);
    expect(result.output).toContain("drift-check: no drift");
    expect(result.code).toBe(0);
  });

  it("exits 1 and names a contract deleted outside Pulumi", async () => {
    const state = await emulatorState(emulator.url);
    const payments = state.contracts.find(
      (c) => c.applicationId === applicationId && c.id !== customersContractId,
    );
    await control(emulator.url, "DELETE", `/contracts/${payments!.id}`);

    const result = await driftCheck(example);
    expect(result.code).toBe(1);
    expect(result.output).toContain("DRIFT ApiContract partner-portal-payments: deleted outside Pulumi");
    expect(result.output).not.toContain("DRIFT ClientApplication");
    expectNoSecrets(result.output);

    await example.stack.up({ refresh: true });
    expect((await driftCheck(example)).code).toBe(0);
  });

  it("exits 1 and names an application deleted outside Pulumi, with its contracts", async () => {
    await control(emulator.url, "DELETE", `/applications/${applicationId}`);

    const result = await driftCheck(example);
    expect(result.code).toBe(1);
    expect(result.output).toContain("DRIFT ClientApplication partner-portal: deleted outside Pulumi");
    expectNoSecrets(result.output);

    const up = await example.stack.up({ refresh: true });
    applicationId = up.outputs.applicationId.value;
    customersContractId = up.outputs.contracts.value.customers.contractId;
    secrets.push(up.outputs.clientSecret.value);
    const clean = await driftCheck(example);
    expect(clean.output).toContain("drift-check: no drift");
    expect(clean.code).toBe(0);
  });

  it("exits 2, not 0 or 1, when it cannot read Anypoint, and prints no secret", async () => {
    await control(emulator.url, "POST", "/faults", {
      rules: [
        {
          path: `/exchange/api/v2/organizations/${SEED.rootOrganizationId}/applications/${applicationId}`,
          status: 403,
        },
      ],
    });
    try {
      const result = await driftCheck(example);
      expect(result.code).toBe(2);
      expect(result.output).toContain("the refresh failed");
      expectNoSecrets(result.output);
    } finally {
      await control(emulator.url, "DELETE", "/faults");
    }
  });

  it("exits 2 when no stack is named", async () => {
    const result = await new Promise<ScriptResult>((resolve) =>
      execFile(
        "bash",
        [path.join(example.workDir, "drift-check.sh")],
        { env: { ...example.cliEnv, PULUMI_STACK: "" } },
        (error, stdout, stderr) =>
          resolve({
            code: error && typeof error.code === "number" ? error.code : 0,
            output: stdout + stderr,
          }),
      ),
    );
    expect(result.code).toBe(2);
    expect(result.output).toContain("name the stack");
  });

  it("leaves nothing behind after destroy", async () => {
    const result = await example.stack.destroy();
    expect(result.summary.resourceChanges).toEqual({ delete: 4 });
    const state = await emulatorState(emulator.url);
    expect(state.applications.map((a) => a.name)).not.toContain("partner-portal");
    expect(state.contracts.filter((c) => c.applicationId === applicationId)).toEqual([]);
  });
});

describe("examples/gitops workflow", () => {
  const workflow = parse(
    fs.readFileSync(path.join(exampleDir("gitops"), ".github", "workflows", "anypoint-access.yml"), "utf8"),
  );
  const runs = (job: string): string[] =>
    workflow.jobs[job].steps
      .filter((step: { run?: string }) => step.run)
      .map((step: { run: string }) => step.run);

  it("previews on pull requests, deploys from main and checks drift on a schedule", () => {
    expect(Object.keys(workflow.on)).toEqual(
      expect.arrayContaining(["pull_request", "push", "schedule", "workflow_dispatch"]),
    );
    expect(workflow.on.push.branches).toEqual(["main"]);
    expect(workflow.on.schedule[0].cron).toEqual(expect.any(String));

    expect(workflow.jobs.preview.if).toContain("pull_request");
    expect(runs("preview").some((run) => run.startsWith("pulumi preview"))).toBe(true);
    expect(workflow.jobs.deploy.if).toContain("push");
    expect(runs("deploy").some((run) => /^pulumi up --refresh --yes/.test(run))).toBe(true);
    expect(workflow.jobs.drift.if).toContain("schedule");
    expect(runs("drift")).toContain('bash drift-check.sh "$PULUMI_STACK"');
  });

  interface Job {
    if?: string;
    environment?: string | { name: string };
    env?: Record<string, string>;
  }
  const jobs = Object.entries(workflow.jobs as Record<string, Job>);
  /** The secrets a part of the workflow can read. */
  const secretsOf = (part: unknown): string[] =>
    [...JSON.stringify(part ?? null).matchAll(/secrets\.([A-Za-z0-9_]+)/g)].map((match) => match[1]);
  const runsOnPullRequests = (job: Job) => !job.if || job.if.includes("pull_request");
  const environmentOf = (job: Job) =>
    typeof job.environment === "string" ? job.environment : job.environment?.name;
  // What can change Anypoint or decrypt the production stack's state.
  const PRODUCTION = [
    "ANYPOINT_CLIENT_ID",
    "ANYPOINT_CLIENT_SECRET",
    "PULUMI_CONFIG_PASSPHRASE",
    "PULUMI_ACCESS_TOKEN",
  ];

  it("takes Anypoint credentials from secrets, never from the file, and none at the workflow level", () => {
    expect(JSON.stringify(workflow)).not.toContain(SEED.full.clientSecret);
    expect(secretsOf(workflow.env)).toEqual([]);
  });

  it("gives no job that runs on pull requests the manage secret or the production stack's passphrase", () => {
    const onPullRequests = jobs.filter(([, job]) => runsOnPullRequests(job));
    expect(onPullRequests.map(([name]) => name)).toEqual(["preview"]);
    for (const [, job] of onPullRequests) {
      const visible = [...secretsOf(workflow.env), ...secretsOf(job)];
      expect(visible.filter((secret) => PRODUCTION.includes(secret))).toEqual([]);
      // An environment's secrets would be readable too.
      expect(job.environment).toBeUndefined();
    }
    expect(runs("preview").join("\n")).not.toContain("PULUMI_STACK");
  });

  it("keeps the production credentials in the deploy job, behind the protected production environment", () => {
    const withManageSecret = jobs.filter(([, job]) => secretsOf(job).includes("ANYPOINT_CLIENT_SECRET"));
    expect(withManageSecret.map(([name]) => name)).toEqual(["deploy"]);
    expect(environmentOf(workflow.jobs.deploy)).toBe("production");
    expect(workflow.jobs.deploy.env.ANYPOINT_CLIENT_SECRET).toBe("${{ secrets.ANYPOINT_CLIENT_SECRET }}");
    for (const [, job] of jobs.filter(([, job]) => secretsOf(job).includes("PULUMI_CONFIG_PASSPHRASE")))
      expect(["production", "drift-check"]).toContain(environmentOf(job));
  });

  it("previews and checks drift with the read-only connected app", () => {
    for (const name of ["preview", "drift"]) {
      expect(workflow.jobs[name].env.ANYPOINT_CLIENT_ID).toBe("${{ secrets.ANYPOINT_READONLY_CLIENT_ID }}");
      expect(workflow.jobs[name].env.ANYPOINT_CLIENT_SECRET).toBe(
        "${{ secrets.ANYPOINT_READONLY_CLIENT_SECRET }}",
      );
    }
  });
});
