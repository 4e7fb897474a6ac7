import { execFile, execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { promisify } from "node:util";
import { controlRequest, startEmulator, type RunningEmulator } from "../../emulator";
import { SEED } from "../support/harness";
import { pulumiBinDir } from "../../cli/pulumiCli";

/**
 * The package as a user gets it: packed from a copy of this checkout (`prepack` builds), installed
 * with @pulumi/pulumi into a new project made exactly as the README says, credentials in stack
 * config, and the Pulumi CLI on PATH like any installed one. Then `pulumi up`, `npx
 * pulumi-anypoint doctor` and `discover`, and `pulumi destroy`, against the emulator.
 */
const ROOT = path.resolve(__dirname, "..", "..");
const README = fs.readFileSync(path.join(ROOT, "README.md"), "utf8");
const run = promisify(execFile);

/** The fenced block that follows the README line naming `file` in the "Using it" section. */
function readmeBlock(file: string): string {
  const section = README.slice(
    README.indexOf("## Using it in your Pulumi project"),
    README.indexOf("## Configuration"),
  );
  const match = new RegExp("`" + file.replace(".", "\\.") + "`[^\\n]*\\n+```\\w*\\n([\\s\\S]*?)```").exec(
    section,
  );
  if (!match) throw new Error(`the README's "Using it" section has no block for ${file}`);
  return match[1];
}

function copyCheckout(target: string): void {
  fs.mkdirSync(target, { recursive: true });
  const files = execFileSync("git", ["ls-files", "-z", "--cached", "--others", "--exclude-standard"], {
    cwd: ROOT,
    encoding: "utf8",
  })
    .split("\0")
    .filter((file) => file && !file.startsWith("vendor/") && fs.existsSync(path.join(ROOT, file)));
  for (const file of files) {
    fs.mkdirSync(path.dirname(path.join(target, file)), { recursive: true });
    fs.copyFileSync(path.join(ROOT, file), path.join(target, file));
  }
  fs.symlinkSync(path.join(ROOT, "node_modules"), path.join(target, "node_modules"), "dir");
}

const installedVersion = (pkg: string) =>
  (
    JSON.parse(fs.readFileSync(path.join(ROOT, "node_modules", pkg, "package.json"), "utf8")) as {
      version: string;
    }
  ).version;

describe("a user's own project with the packed package", () => {
  let work: string;
  let project: string;
  let emulator: RunningEmulator;
  let packedFiles: string[];
  let env: NodeJS.ProcessEnv;

  const inProject = async (
    command: string,
    args: string[],
    extra: { input?: string; env?: NodeJS.ProcessEnv } = {},
  ) => {
    const child = execFile(command, args, {
      cwd: project,
      env: extra.env ?? env,
      maxBuffer: 64 * 1024 * 1024,
    });
    if (extra.input !== undefined) child.stdin?.end(extra.input);
    else child.stdin?.end();
    let stdout = "";
    let stderr = "";
    child.stdout?.on("data", (chunk: string) => (stdout += chunk));
    child.stderr?.on("data", (chunk: string) => (stderr += chunk));
    const code = await new Promise<number>((resolve) => child.on("close", (status) => resolve(status ?? 1)));
    return { code, stdout, stderr };
  };

  beforeAll(async () => {
    work = fs.mkdtempSync(path.join(os.tmpdir(), "pulumi-anypoint-user-"));
    const copy = path.join(work, "package");
    copyCheckout(copy);
    const { stdout } = await run("npm", ["pack", "--json", "--pack-destination", work, "--loglevel=error"], {
      cwd: copy,
      maxBuffer: 64 * 1024 * 1024,
    });
    const [packed] = JSON.parse(stdout) as { filename: string; files: { path: string }[] }[];
    packedFiles = packed.files.map((file) => file.path);

    project = path.join(work, "acme-access");
    fs.mkdirSync(project);
    fs.writeFileSync(path.join(project, "package.json"), readmeBlock("package.json"));
    fs.writeFileSync(path.join(project, "Pulumi.yaml"), readmeBlock("Pulumi.yaml"));
    fs.writeFileSync(path.join(project, "tsconfig.json"), readmeBlock("tsconfig.json"));
    fs.writeFileSync(path.join(project, "index.ts"), readmeBlock("index.ts"));
    // The README's two install commands, with the versions this checkout tests (found in the npm cache).
    const npmInstall = (args: string[]) =>
      run("npm", ["install", "--prefer-offline", "--no-audit", "--no-fund", "--loglevel=error", ...args], {
        cwd: project,
        maxBuffer: 64 * 1024 * 1024,
      });
    await npmInstall([
      path.join(work, packed.filename),
      `@pulumi/pulumi@${installedVersion("@pulumi/pulumi")}`,
    ]);
    await npmInstall([
      "--save-dev",
      `typescript@${installedVersion("typescript")}`,
      `@types/node@${installedVersion("@types/node")}`,
    ]);

    emulator = await startEmulator({ port: 0 });
    // Like a user's shell: the Pulumi CLI and Node on PATH, nothing of this checkout, no ANYPOINT_* variables.
    env = Object.fromEntries(Object.entries(process.env).filter(([key]) => !key.startsWith("ANYPOINT_")));
    delete env.PULUMI_ANYPOINT_PULUMI_BIN;
    env.PATH = [pulumiBinDir(), path.dirname(process.execPath), "/usr/local/bin", "/usr/bin", "/bin"].join(
      ":",
    );
    env.PULUMI_HOME = path.join(work, "pulumi-home");
    env.PULUMI_BACKEND_URL = `file://${path.join(work, "backend")}`;
    env.PULUMI_CONFIG_PASSPHRASE = "user-project-passphrase";
    env.PULUMI_SKIP_UPDATE_CHECK = "true";
    fs.mkdirSync(path.join(work, "backend"));

    const init = await inProject("pulumi", ["stack", "init", "dev", "--non-interactive"]);
    expect(init).toMatchObject({ code: 0 });
    await inProject("pulumi", ["config", "set", "anypoint:baseUrl", emulator.url]);
    await inProject("pulumi", ["config", "set", "anypoint:clientId", SEED.full.clientId]);
    // The README's form: the secret comes on standard input, never on the command line.
    const secret = await inProject("pulumi", ["config", "set", "--secret", "anypoint:clientSecret"], {
      input: SEED.full.clientSecret,
    });
    expect(secret).toMatchObject({ code: 0 });
  }, 600_000);

  afterAll(async () => {
    await emulator?.close();
    if (work) fs.rmSync(work, { recursive: true, force: true });
  });

  it("publishes the built code without set-up scripts or benchmarks", () => {
    expect(packedFiles).toEqual(
      expect.arrayContaining(["dist/provider/index.js", "dist/cli/main.js", "package.json"]),
    );
    expect(packedFiles.filter((file) => /^(scripts|bench|test|dist\/bench|dist\/test)\//.test(file))).toEqual(
      [],
    );
    const installed = path.join(project, "node_modules", "pulumi-anypoint");
    expect(fs.existsSync(path.join(installed, "scripts"))).toBe(false);
    expect(fs.existsSync(path.join(installed, "dist", "bench"))).toBe(false);
  });

  it("runs the README's program with pulumi up, with no warning", async () => {
    const up = await inProject("pulumi", ["up", "--yes", "--non-interactive", "--skip-preview"]);
    expect(up.stderr + up.stdout).not.toMatch(/warning/i);
    expect(up).toMatchObject({ code: 0 });
    expect(up.stdout).toMatch(/\+ 3 created/); // the stack, the application and its contract
    const outputs = await inProject("pulumi", ["stack", "output", "--json"]);
    expect(JSON.parse(outputs.stdout)).toMatchObject({
      clientId: expect.stringMatching(/^[0-9a-f]{32}$/),
      clientSecret: "[secret]",
    });
  }, 300_000);

  it("doctor reads the credentials from the stack config and passes", async () => {
    const doctor = await inProject("npx", ["--no-install", "pulumi-anypoint", "doctor"]);
    expect(doctor.stdout).toContain(
      "stack dev config (anypoint:baseUrl, anypoint:clientId, anypoint:clientSecret)",
    );
    expect(doctor.stdout + doctor.stderr).not.toContain(SEED.full.clientSecret);
    expect(doctor).toMatchObject({ code: 0 });
  }, 120_000);

  it("discover finds the application the program made", async () => {
    const discover = await inProject("npx", [
      "--no-install",
      "pulumi-anypoint",
      "discover",
      "--environment",
      SEED.sandbox,
    ]);
    expect(discover.stdout + discover.stderr).toContain("mobile-banking");
    expect(discover).toMatchObject({ code: 0 });
  }, 120_000);

  it("says plainly when no pulumi is on PATH, and builds nothing", async () => {
    const bare = { ...env, PATH: [path.dirname(process.execPath), "/usr/bin", "/bin"].join(":") };
    const doctor = await inProject(
      process.execPath,
      ["node_modules/pulumi-anypoint/dist/cli/main.js", "doctor"],
      {
        env: bare,
      },
    );
    expect(doctor.stderr).toContain("the Pulumi CLI is not on PATH");
    expect(doctor.stderr + doctor.stdout).not.toMatch(/go build|ensure-pulumi|Go module proxy/);
  }, 120_000);

  describe("its public types compile in a user's project", () => {
    const TYPESCRIPT_6 = "6.0.3";
    // Every public entry point, as a user's program imports them.
    const program = [
      'import { ApiContract, ClientApplication, getApiInstance, getTier, type ApiInstance } from "pulumi-anypoint";',
      'import { AnypointClient, AnypointError, type Application } from "pulumi-anypoint/client";',
      'import { startEmulator, type EmulatorOptions } from "pulumi-anypoint/emulator";',
      "export const all = [ApiContract, ClientApplication, getApiInstance, getTier, AnypointClient, AnypointError, startEmulator];",
      "export type All = [ApiInstance, Application, EmulatorOptions];",
      "",
    ].join("\n");
    const template = JSON.parse(readmeBlock("tsconfig.json")) as { compilerOptions: Record<string, unknown> };
    const strict = {
      strict: true,
      target: "es2022",
      module: "node16",
      moduleResolution: "node16",
      esModuleInterop: false,
      skipLibCheck: false,
      types: ["node"],
    };
    const node16 = { ...template.compilerOptions, module: "node16", moduleResolution: "node16" };
    // TypeScript 6 refuses moduleResolution node10 and esModuleInterop false unless told to ignore the deprecation.
    const legacy = { ignoreDeprecations: "6.0" };
    const cells: [string, string, Record<string, unknown>][] = [
      ["5", "Pulumi's template", template.compilerOptions],
      ["5", "strict, no esModuleInterop, no skipLibCheck", strict],
      ["6", "the README's node16 variant of the template", node16],
      ["6", "Pulumi's template", { ...template.compilerOptions, ...legacy }],
      ["6", "strict, no esModuleInterop, no skipLibCheck", { ...strict, ...legacy }],
    ];
    let tsc6: string;

    beforeAll(async () => {
      fs.writeFileSync(path.join(project, "public-api.ts"), program);
      const prefix = path.join(work, "typescript-6");
      await run(
        "npm",
        [
          "install",
          "--prefix",
          prefix,
          "--prefer-offline",
          "--no-audit",
          "--no-fund",
          "--loglevel=error",
          `typescript@${TYPESCRIPT_6}`,
        ],
        { maxBuffer: 64 * 1024 * 1024 },
      );
      tsc6 = path.join(prefix, "node_modules", "typescript", "bin", "tsc");
    }, 300_000);

    it.each(cells)(
      "TypeScript %s, %s",
      async (major, _name, compilerOptions) => {
        const config = path.join(
          project,
          `tsconfig.check-${cells.findIndex((cell) => cell[2] === compilerOptions)}.json`,
        );
        fs.writeFileSync(
          config,
          JSON.stringify({ compilerOptions: { ...compilerOptions, noEmit: true }, files: ["public-api.ts"] }),
        );
        const tsc = major === "6" ? tsc6 : path.join(project, "node_modules", "typescript", "bin", "tsc");
        const version = (await inProject(process.execPath, [tsc, "--version"])).stdout.trim();
        expect(version).toMatch(new RegExp(`^Version ${major}\\.`));
        const result = await inProject(process.execPath, [tsc, "-p", config, "--pretty", "false"]);
        expect(result.stdout + result.stderr).toBe("");
        expect(result.code).toBe(0);
      },
      120_000,
    );
  });

  it("pulumi destroy removes what up made", async () => {
    const destroy = await inProject("pulumi", ["destroy", "--yes", "--non-interactive", "--skip-preview"]);
    expect(destroy).toMatchObject({ code: 0 });
    const state = (await controlRequest(emulator.url, "GET", "/state")) as {
      applications: { name: string }[];
    };
    expect(state.applications.filter((app) => app.name === "mobile-banking")).toEqual([]);
  }, 300_000);
});
