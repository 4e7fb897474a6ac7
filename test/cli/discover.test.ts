import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import type { CommandIo } from "../../cli/args";
import { nameMatcher, runDiscoverCommand } from "../../cli/discover";
import { AnypointClient } from "../../client";
import { controlClient, type RunningEmulator, startEmulator } from "../../emulator";
import { SEED } from "../support/harness";

async function discover(
  url: string,
  argv: string[],
  credentials: { clientId: string; clientSecret: string } = SEED.full,
) {
  let stdout = "";
  let stderr = "";
  const io: CommandIo = {
    stdout: (text) => (stdout += text),
    stderr: (text) => (stderr += text),
    cwd: __dirname,
    env: {
      ANYPOINT_BASE_URL: url,
      ANYPOINT_CLIENT_ID: credentials.clientId,
      ANYPOINT_CLIENT_SECRET: credentials.clientSecret,
    },
  };
  const code = await runDiscoverCommand(argv, io);
  return { code, stdout, stderr };
}

describe("pulumi-anypoint discover", () => {
  let emulator: RunningEmulator;
  let client: AnypointClient;

  beforeEach(async () => {
    emulator = await startEmulator({ port: 0 });
    client = AnypointClient.fromOptions({
      baseUrl: emulator.url,
      clientId: SEED.full.clientId,
      clientSecret: SEED.full.clientSecret,
    });
    const org = SEED.rootOrganizationId;
    const web = await client.createApplication(org, {
      name: "team-a-web",
      description: "Web shop",
      url: "https://shop.example.com",
      redirectUri: ["https://shop.example.com/cb"],
      grantTypes: ["authorization_code"],
    });
    const batch = await client.createApplication(org, { name: "team-b-batch" });
    const base = { acceptedTerms: true, instanceType: "api" as const, organizationId: org, groupId: org };
    await client.createContract(org, web.id, {
      ...base,
      assetId: "orders-api",
      version: "1.2.0",
      versionGroup: "v1",
      apiId: SEED.apis.ordersSandbox,
      environmentId: SEED.sandbox,
      requestedTierId: SEED.tiers.ordersGold,
    });
    await client.createContract(org, web.id, {
      ...base,
      assetId: "payments-api",
      version: "2.0.1",
      versionGroup: "v2",
      apiId: SEED.apis.paymentsProduction,
      environmentId: SEED.production,
    });
    const revoked = await client.createContract(org, batch.id, {
      ...base,
      assetId: "payments-api",
      version: "2.0.1",
      versionGroup: "v2",
      apiId: SEED.apis.paymentsSandbox,
      environmentId: SEED.sandbox,
    });
    await controlClient(emulator.url).changeContract(revoked.id, { status: "REVOKED" });
    await controlClient(emulator.url).clearRequests();
  });

  afterEach(async () => {
    await emulator.close();
  });

  it("writes a program declaring every application and contract with adopt: true, contracts tied by variable", async () => {
    const { code, stdout } = await discover(emulator.url, []);

    expect(code).toBe(0);
    expect(stdout).toContain('import { ApiContract, ClientApplication } from "pulumi-anypoint";');
    expect(stdout).toContain('const sandboxEnvironmentId = "5e1f7c2a-8b3d-4e6f-9a0b-1c2d3e4f5a61";');
    expect(stdout).toContain(
      [
        'const teamAWeb = new ClientApplication("team-a-web", {',
        '  name: "team-a-web",',
        '  description: "Web shop",',
        '  url: "https://shop.example.com",',
        '  redirectUris: ["https://shop.example.com/cb"],',
        '  grantTypes: ["authorization_code"],',
        "  adopt: true,",
        "});",
      ].join("\n"),
    );
    // A pending contract declares the tier it waits for, so adopting it changes nothing.
    expect(stdout).toMatch(
      /\/\/ orders-api v1 \(asset 7f3c2a91-4d8e-4b6a-9c1f-2e5d8a7b3c10\/orders-api 1\.2\.0\), instance "orders-sandbox", Sandbox; contract \d+, PENDING\n/,
    );
    expect(stdout).toContain(
      [
        'const teamAWebOrdersApi18800101 = new ApiContract("team-a-web/18800101", {',
        "  applicationId: teamAWeb.applicationId,",
        "  environmentId: sandboxEnvironmentId,",
        "  apiInstanceId: 18800101,",
        "  tierId: 5100101, // Gold, awaiting approval",
        "  adopt: true,",
        "});",
      ].join("\n"),
    );
    expect(stdout).toContain("environmentId: productionEnvironmentId,");
    // A revoked contract would be restored by `up`: written commented out, with the reason.
    expect(stdout).toContain("Left out: adopting a REVOKED contract");
    expect(stdout).toContain('// new ApiContract("team-b-batch/18800102", {');
    // Another identity's application it cannot manage: commented out, with the scope to add.
    expect(stdout).toContain(
      'NOT ADOPTED: these credentials cannot manage "legacy-mobile-app" (id 2690001, created by user:ui-admin)',
    );
    expect(stdout).toContain("// const legacyMobileApp = new ClientApplication(");

    const state = await controlClient(emulator.url).state();
    for (const app of state.applications) {
      expect(stdout).not.toContain(app.clientSecret);
      expect(stdout).not.toContain(app.clientId);
    }
    const { requests } = await controlClient(emulator.url).requests();
    expect(
      requests.filter((entry) => entry.method !== "GET" && !entry.path.endsWith("/oauth2/token")),
    ).toEqual([]);
  });

  it("filters applications by glob or /regex/ and contracts by environment", async () => {
    const glob = await discover(emulator.url, ["--name", "team-?-*"]);
    expect(glob.stdout).toContain('new ClientApplication("team-a-web"');
    expect(glob.stdout).toContain('new ClientApplication("team-b-batch"');
    expect(glob.stdout).not.toContain("legacy-mobile-app");

    const regex = await discover(emulator.url, ["--name", "/^TEAM-A/i", "--environment", SEED.production]);
    expect(regex.stdout).toContain('new ClientApplication("team-a-web"');
    expect(regex.stdout).not.toContain("team-b-batch");
    expect(regex.stdout).toContain('new ApiContract("team-a-web/18800202"');
    expect(regex.stdout).not.toContain("18800101");

    expect(nameMatcher("a*")("abc")).toBe(true);
    expect(nameMatcher("a*")("xabc")).toBe(false);
    expect(nameMatcher("a.c")("abc")).toBe(false);
    expect(() => nameMatcher("/(/")).toThrow(/not a valid regular expression/);
  });

  it("writes a module exporting a function that takes resource options, to --out", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "discover-"));
    const out = path.join(dir, "adopted.ts");
    try {
      const { code, stdout, stderr } = await discover(emulator.url, [
        "--module",
        "--out",
        out,
        "--name",
        "team-*",
      ]);
      expect(code).toBe(0);
      expect(stdout).toBe("");
      expect(stderr).toContain("2 application(s) and 2 contract(s) declared with adopt: true");
      const text = fs.readFileSync(out, "utf8");
      expect(text).toContain('import type * as pulumi from "@pulumi/pulumi";');
      expect(text).toContain(
        "export function adoptAnypointResources(opts: pulumi.CustomResourceOptions = {}) {",
      );
      expect(text).toContain("  }, opts);");
      expect(text).toContain('      "team-a-web": teamAWeb,');
      expect(text).toContain("    contracts: [teamAWebOrdersApi18800101, teamAWebPaymentsApi18800202],");
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it("refuses to write a program from an admin list caught in the empty-200 trap", async () => {
    const ciClient = AnypointClient.fromOptions({
      baseUrl: emulator.url,
      clientId: SEED.readonly.clientId,
      clientSecret: SEED.readonly.clientSecret,
    });
    await ciClient.createApplication(SEED.rootOrganizationId, { name: "ci-made-app" });

    const { code, stdout, stderr } = await discover(emulator.url, [], SEED.readonly);

    expect(code).toBe(1);
    expect(stdout).toBe("");
    expect(stderr).toContain("KB 005385409");
    expect(stderr).toContain("View Client Applications (read:client_applications)");
  });
});
