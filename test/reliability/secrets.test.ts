import * as fs from "node:fs";
import * as path from "node:path";
import { Harness, SEED } from "../support/harness";

jest.setTimeout(10 * 60_000);

// The engine's output with --debug off and its log on stderr at the default level. Verbose engine
// logs are left out on purpose: from level 8 they carry the Node SDK's debug line for every
// RegisterResource response (secret outputs in plain text inside the secret wrapper), and from 9
// the engine's "Marshaling property for RPC" lines with every secret it sends a provider. Both are
// Pulumi's own logging of values the engine holds, whatever the provider does.
const VERBOSE = { logToStdErr: true } as const;
const DEMO_USER_PASSWORD = "Demo-Passw0rd!";

describe("secrets never appear in plain text", () => {
  let harness: Harness;
  const texts: { where: string; text: string }[] = [];
  const secrets = new Set<string>([SEED.full.clientSecret, SEED.readonly.clientSecret, DEMO_USER_PASSWORD]);

  const collectLiveSecrets = async () => {
    for (const app of (await harness.state()).applications) secrets.add(app.clientSecret);
    const { tokens } = await harness.control<{ tokens: { value: string }[] }>("GET", "/tokens");
    for (const token of tokens) secrets.add(token.value);
  };

  const run = async (
    where: string,
    operation: (onOutput: (text: string) => void) => Promise<{ stdout: string; stderr: string }>,
  ) => {
    let streamed = "";
    let result: { stdout: string; stderr: string } | undefined;
    let failure = "";
    try {
      result = await operation((text) => (streamed += text));
    } catch (error) {
      // A failed operation's error carries the engine's whole output too.
      failure = String(error);
    }
    texts.push({ where: `${where} (output)`, text: streamed + failure });
    if (result) texts.push({ where: `${where} (stdout + engine log)`, text: result.stdout + result.stderr });
    await collectLiveSecrets();
    texts.push({ where: `${where} (exported state)`, text: await harness.local.exportState() });
    return result;
  };

  const spec = (rotation: number, extra: Record<string, unknown>[] = []) => ({
    applications: [
      { key: "mobile", name: "secrets-mobile", grantTypes: ["client_credentials"], secretRotation: rotation },
      { key: "partner", name: "secrets-partner", description: "partner portal" },
      ...extra,
    ],
    contracts: [
      {
        key: "mobile-customers",
        application: "mobile",
        environmentId: SEED.sandbox,
        apiInstanceId: SEED.apis.customersSandbox,
        tierId: SEED.tiers.customersPremium,
        approve: true,
      },
      {
        key: "partner-payments",
        application: "partner",
        environmentId: SEED.sandbox,
        apiInstanceId: SEED.apis.paymentsSandbox,
      },
    ],
  });

  beforeAll(async () => {
    harness = await Harness.start();
    // 1. A run that fails half-way: the duplicate name answers 409, so error paths are logged too.
    await harness.declare(spec(1, [{ key: "duplicate", name: "legacy-mobile-app" }]));
    const failed = await run("failing up", (onOutput) => harness.stack.up({ ...VERBOSE, onOutput }));
    expect(failed).toBeUndefined();
    // 2. The full program, rotating a secret (the old and the new one are both secrets).
    await harness.declare(spec(2));
    await run("up", (onOutput) => harness.stack.up({ ...VERBOSE, onOutput }));
    // 3. Drift, then refresh.
    const app = (await harness.state()).applications.find((a) => a.name === "secrets-partner");
    await harness.control("PATCH", `/applications/${app!.id}`, { description: "edited in the UI" });
    await run("refresh", (onOutput) => harness.stack.refresh({ ...VERBOSE, onOutput }));
    // 4. Destroy.
    await run("destroy", (onOutput) => harness.stack.destroy({ ...VERBOSE, onOutput }));
    // The stack's config file holds the connected app's secret, encrypted.
    const configFile = path.join(harness.stack.workspace.workDir, `Pulumi.${harness.stack.name}.yaml`);
    texts.push({ where: "stack config file", text: fs.readFileSync(configFile, "utf8") });
  });

  afterAll(async () => {
    await harness?.close();
  });

  it("collected what it must check: several logs, application secrets and tokens", () => {
    expect(texts.length).toBeGreaterThanOrEqual(9);
    // The connected app's secret, the demo password, 3 application secrets (one rotated) and tokens.
    expect(secrets.size).toBeGreaterThanOrEqual(3 + 3 + 4);
    expect(texts.find((t) => t.where === "up (stdout + engine log)")?.text).toMatch(/secrets-mobile|mobile/);
  });

  it("keeps every secret out of the engine output, the engine and provider logs, and the exported state", () => {
    const leaks: string[] = [];
    for (const { where, text } of texts) {
      for (const secret of secrets) {
        if (text.includes(secret)) leaks.push(`${where} contains ${secret.slice(0, 4)}...`);
      }
    }
    expect(leaks).toEqual([]);
  });
});
