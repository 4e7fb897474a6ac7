import { execFile } from "node:child_process";
import * as path from "node:path";
import { promisify } from "node:util";
import { AnypointClient } from "../../client";
import type { CommandIo } from "../../cli/args";
import { type DoctorReport, runDoctorCommand } from "../../cli/doctor";
import { controlClient, defaultSeed, type RunningEmulator, startEmulator } from "../../emulator";
import { capturingProxy } from "../client/support";
import { SEED } from "../support/harness";

const execFileAsync = promisify(execFile);
const MAIN = path.join(__dirname, "..", "..", "dist", "cli", "main.js");
const PASSWORDS = ["Demo-Passw0rd!", "Mfa-Passw0rd!"];
const SECRETS = [SEED.full.clientSecret, SEED.readonly.clientSecret, ...PASSWORDS];

/** Runs doctor in-process against `url` with these environment variables; no stack config (cwd has no Pulumi.yaml). */
async function doctor(url: string, env: Record<string, string>, argv: string[] = []) {
  let stdout = "";
  let stderr = "";
  const io: CommandIo = {
    stdout: (text) => (stdout += text),
    stderr: (text) => (stderr += text),
    cwd: __dirname,
    env: { ANYPOINT_BASE_URL: url, ...env },
  };
  const code = await runDoctorCommand(argv, io);
  return { code, stdout, stderr };
}

async function doctorJson(url: string, env: Record<string, string>) {
  const result = await doctor(url, env, ["--json"]);
  return { ...result, report: JSON.parse(result.stdout) as DoctorReport };
}

const full = { ANYPOINT_CLIENT_ID: SEED.full.clientId, ANYPOINT_CLIENT_SECRET: SEED.full.clientSecret };
const readonly = {
  ANYPOINT_CLIENT_ID: SEED.readonly.clientId,
  ANYPOINT_CLIENT_SECRET: SEED.readonly.clientSecret,
};

function verdicts(report: DoctorReport, id: string): string[] {
  return report.checks.filter((check) => check.id === id).map((check) => check.verdict);
}

/** Every request doctor made that is not a read or the token: each must have been refused. */
async function writesThatWentThrough(url: string) {
  const { requests } = await controlClient(url).requests();
  return requests.filter(
    (entry) => entry.method !== "GET" && !entry.path.endsWith("/oauth2/token") && entry.status < 400,
  );
}

const CREATE_PATH = `/exchange/api/v2/organizations/${SEED.rootOrganizationId}/applications`;

/**
 * A proxy in front of the emulator standing for a service that accepts the create probe: it turns
 * the probe's invalid body into a valid one (keeping the rest), so the create goes through.
 */
const acceptingProxy = (target: string) =>
  capturingProxy(target, (req, body) => {
    if (req.method !== "POST" || req.url?.split("?")[0] !== CREATE_PATH) return body;
    const parsed = JSON.parse(body.toString("utf8")) as Record<string, unknown>;
    return Buffer.from(JSON.stringify({ ...parsed, name: "probe-accepted", grantTypes: [] }));
  });

async function createProbes(url: string) {
  const { requests } = await controlClient(url).requests();
  return requests.filter((entry) => entry.method === "POST" && entry.path === CREATE_PATH);
}

describe("pulumi-anypoint doctor", () => {
  let emulator: RunningEmulator;
  let url: string;

  beforeEach(async () => {
    emulator = await startEmulator({ port: 0 });
    url = emulator.url;
  });

  afterEach(async () => {
    await emulator.close();
  });

  it("reports all green for the full-scope connected app, exits 0, and changes nothing", async () => {
    // The per-application scope for the one application another identity created (KB 001116119).
    const seed = defaultSeed();
    const demoApp = seed.connectedApps[0];
    seed.connectedApps[0] = {
      ...demoApp,
      scopes: [...demoApp.scopes, { scope: "manage:client_application", applicationId: 2690001 }],
    };
    await controlClient(url).reset(seed);
    const before = await controlClient(url).state();

    const { code, stdout, report } = await doctorJson(url, full);

    expect(code).toBe(0);
    expect(report.ok).toBe(true);
    expect(report.organization).toEqual({ id: SEED.rootOrganizationId, name: "Acme Corp" });
    expect(report.environments.map((env) => env.id)).toEqual([SEED.sandbox, SEED.production]);
    expect(report.checks.filter((check) => check.verdict !== "ok")).toEqual([]);
    expect(report.checks.map((check) => check.id)).toEqual(
      expect.arrayContaining([
        "token",
        "organization",
        "environments",
        "applications.create",
        "applications.listAll",
        "applications.read",
        "applications.others",
        "environment.apis",
        "environment.tiers",
        "environment.contracts.read",
        "environment.contracts.manage",
        "environment.contracts.create",
      ]),
    );
    // Each environment gets its own contract lines.
    expect(verdicts(report, "environment.contracts.manage")).toEqual(["ok", "ok"]);
    for (const secret of SECRETS) expect(stdout).not.toContain(secret);

    expect(await writesThatWentThrough(url)).toEqual([]);
    expect(await controlClient(url).state()).toEqual(before);
  });

  it("names the missing contract scopes per environment for ci-readonly and exits 1", async () => {
    const { code, stdout } = await doctor(url, readonly);
    const { report } = await doctorJson(url, readonly);

    expect(code).toBe(1);
    expect(report.ok).toBe(false);
    expect(verdicts(report, "token")).toEqual(["ok"]);
    expect(verdicts(report, "applications.create")).toEqual(["ok"]);
    expect(verdicts(report, "environment.apis")).toEqual(["ok", "ok"]);
    for (const id of [
      "environment.tiers",
      "environment.contracts.read",
      "environment.contracts.manage",
      "environment.contracts.create",
    ]) {
      expect(verdicts(report, id)).toEqual(["fail", "fail"]);
    }
    const sandboxRead = report.checks.find(
      (check) => check.id === "environment.contracts.read" && check.where.includes(SEED.sandbox),
    )!;
    expect(sandboxRead.fix).toContain("View Contracts (read:api_contracts)");
    expect(sandboxRead.fix).toContain(`in environment ${SEED.sandbox}`);
    expect(sandboxRead.fix).toContain("KB 001120307");
    const productionManage = report.checks.find(
      (check) => check.id === "environment.contracts.manage" && check.where.includes(SEED.production),
    )!;
    expect(productionManage.fix).toContain("Manage Contracts (manage:api_contracts)");
    expect(productionManage.fix).toContain(`in environment ${SEED.production}`);

    // The table: one line per check with its verdict, then what to do.
    expect(stdout).toMatch(/read contracts\s+Sandbox 5e1f7c2a-8b3d-4e6f-9a0b-1c2d3e4f5a61\s+FAIL/);
    expect(stdout).toMatch(/list API instances\s+Production 9d8c7b6a-5f4e-4d3c-8b2a-1f0e9d8c7b62\s+ok/);
    expect(stdout).toContain("What to do:");
    expect(stdout).toContain("check(s) failed");
    expect(stdout).not.toContain(SEED.readonly.clientSecret);
    expect(await writesThatWentThrough(url)).toEqual([]);
  });

  it("detects the empty-200 trap by comparing the applications the caller created with the admin list", async () => {
    // ci-readonly may create applications but not list them all.
    const ciClient = AnypointClient.fromOptions({
      baseUrl: url,
      clientId: SEED.readonly.clientId,
      clientSecret: SEED.readonly.clientSecret,
    });
    await ciClient.createApplication(SEED.rootOrganizationId, { name: "ci-made-app" });
    await controlClient(url).clearRequests();
    const before = await controlClient(url).state();

    const { code, report } = await doctorJson(url, readonly);

    expect(code).toBe(1);
    const listAll = report.checks.find((check) => check.id === "applications.listAll")!;
    expect(listAll.verdict).toBe("fail");
    expect(listAll.detail).toContain("empty-200 trap");
    expect(listAll.detail).toContain("ci-made-app");
    expect(listAll.fix).toContain("View Client Applications (read:client_applications)");
    expect(listAll.fix).toContain(`organization ${SEED.rootOrganizationId}`);
    expect(listAll.fix).toContain("KB 005385409");
    // Reading its own application with the secret works: the creator manages what it created.
    expect(verdicts(report, "applications.read")).toEqual(["ok"]);
    expect(await writesThatWentThrough(url)).toEqual([]);
    expect(await controlClient(url).state()).toEqual(before);
  });

  it("explains the MFA trap of the password grant, checks nothing else, and never prints the password", async () => {
    const { code, stdout, report } = await doctorJson(url, {
      ...full,
      ANYPOINT_USERNAME: "mfa-user",
      ANYPOINT_PASSWORD: "Mfa-Passw0rd!",
    });

    expect(code).toBe(1);
    const token = report.checks.find((check) => check.id === "token")!;
    expect(token.verdict).toBe("fail");
    expect(token.detail).toMatch(/multi-factor|MFA/);
    expect(token.fix).toContain("August 2023");
    expect(token.fix).toContain("client credentials");
    expect(report.checks.filter((check) => check.verdict === "ok")).toEqual([]);
    expect(report.credentials).toContain("password grant");
    for (const secret of SECRETS) expect(stdout).not.toContain(secret);
  });

  it("warns that the password grant breaks with MFA even when it works for this user", async () => {
    const { code, report } = await doctorJson(url, {
      ...full,
      ANYPOINT_USERNAME: "demo-user",
      ANYPOINT_PASSWORD: "Demo-Passw0rd!",
    });

    const grant = report.checks.find((check) => check.id === "grant")!;
    expect(grant.verdict).toBe("warn");
    expect(grant.detail).toContain("August 2023");
    // A user with Manage Client Applications manages every application: nothing else is missing.
    expect(report.checks.filter((check) => check.verdict === "fail")).toEqual([]);
    expect(code).toBe(0);
  });

  it("lists the applications another identity created that these credentials cannot manage", async () => {
    const { code, report } = await doctorJson(url, full);

    const others = report.checks.find((check) => check.id === "applications.others")!;
    expect(others.verdict).toBe("warn");
    expect(others.detail).toContain("legacy-mobile-app (2690001, created by user:ui-admin)");
    expect(others.fix).toContain("manage:client_application");
    expect(others.fix).toContain("KB 001116119");
    // A warning: everything the provider creates itself still works.
    expect(code).toBe(0);
    expect(await writesThatWentThrough(url)).toEqual([]);
  });

  it("runs as the built command with the exit code of its verdict", async () => {
    const env: NodeJS.ProcessEnv = { ...process.env, ANYPOINT_BASE_URL: url };
    for (const key of [
      "ANYPOINT_USERNAME",
      "ANYPOINT_PASSWORD",
      "ANYPOINT_ACCESS_TOKEN",
      "ANYPOINT_ORGANIZATION_ID",
    ])
      delete env[key];

    const failing = await execFileAsync("node", [MAIN, "doctor"], {
      env: { ...env, ...readonly },
      cwd: __dirname,
    }).then(
      () => ({ code: 0, stdout: "" }),
      (error: { code: number; stdout: string }) => ({ code: error.code, stdout: error.stdout }),
    );
    expect(failing.code).toBe(1);
    expect(failing.stdout).toContain("FAIL");
    expect(failing.stdout).not.toContain(SEED.readonly.clientSecret);

    const passing = await execFileAsync("node", [MAIN, "doctor", "--json", "--environment", SEED.sandbox], {
      env: { ...env, ...full },
      cwd: __dirname,
    });
    const report = JSON.parse(passing.stdout) as DoctorReport;
    expect(report.ok).toBe(true);
    expect(report.environments.map((environment) => environment.id)).toEqual([SEED.sandbox]);

    const usage = await execFileAsync("node", [MAIN, "doctor", "--client-secret", "x"], {
      env,
      cwd: __dirname,
    }).then(
      () => ({ code: 0, stderr: "" }),
      (error: { code: number; stderr: string }) => ({ code: error.code, stderr: error.stderr }),
    );
    expect(usage.code).toBe(2);
    expect(usage.stderr).toContain("ANYPOINT_CLIENT_SECRET");
  });

  it("sends each write probe exactly once, even when Anypoint answers 503, and concludes nothing from it", async () => {
    await controlClient(url).setFaults([
      { method: "POST", path: `${CREATE_PATH}$`, status: 503 },
      { method: "POST", path: "/apimanager/xapi/v1/*/approve$", status: 503 },
    ]);

    const { report } = await doctorJson(url, full);

    expect(await createProbes(url)).toHaveLength(1);
    const { requests } = await controlClient(url).requests();
    const approves = requests.filter((entry) => entry.method === "POST" && entry.path.endsWith("/approve"));
    expect(approves).toHaveLength(report.environments.length);
    expect(verdicts(report, "applications.create")).toEqual(["not checked"]);
    expect(verdicts(report, "environment.contracts.manage")).toEqual(["not checked", "not checked"]);
    expect(await writesThatWentThrough(url)).toEqual([]);
  });

  it("deletes an application the create probe made because Anypoint accepted it, and reports it", async () => {
    const proxy = await acceptingProxy(url);
    try {
      const { code, stdout, report } = await doctorJson(proxy.url, full);

      expect(await createProbes(url)).toHaveLength(1);
      const create = report.checks.find((check) => check.id === "applications.create")!;
      expect(create.verdict).toBe("warn");
      expect(create.detail).toMatch(/created application \d+; doctor deleted it/);
      const { applications } = await controlClient(url).state();
      expect(applications.map((app: { name: string }) => app.name)).not.toContain("probe-accepted");
      expect(code).toBe(0);
      for (const secret of SECRETS) expect(stdout).not.toContain(secret);
    } finally {
      await proxy.close();
    }
  });

  it("finds and deletes what the create probe made when the answer was lost", async () => {
    const proxy = await acceptingProxy(url);
    // The create takes effect, then the answer is lost (a 503 instead of the 201).
    await controlClient(url).setFaults([
      { method: "POST", path: `${CREATE_PATH}$`, status: 503, phase: "after" },
    ]);
    try {
      const { report } = await doctorJson(proxy.url, full);

      expect(await createProbes(url)).toHaveLength(1);
      const create = report.checks.find((check) => check.id === "applications.create")!;
      expect(create.verdict).toBe("warn");
      expect(create.detail).toContain("doctor deleted it");
      const { applications } = await controlClient(url).state();
      expect(applications.map((app: { name: string }) => app.name)).not.toContain("probe-accepted");
    } finally {
      await proxy.close();
    }
  });
});
