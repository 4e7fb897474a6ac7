/**
 * The provider benchmark: the real Pulumi engine driving N client applications and 2N contracts
 * against the emulator with a fixed latency per request, next to references measured on the
 * same emulator, CLI, SDK and backend in the same run:
 *
 * - the engine floor: 3N `pulumi.dynamic.Resource`s whose provider does nothing (create returns
 *   an id, diff says no change), one provider object shared by all, as a TypeScript program
 *   (bench/floor/ts, the time reference) and as plain JavaScript (bench/floor/js, whose
 *   serialized provider is the smallest the SDK writes: the state-size reference);
 * - the shape floor (bench/floor/shape): the same do-nothing provider, but its resources record
 *   what the provider's record (inputs, outputs, a secret, each contract depending on its
 *   application). Provider over shape floor is the provider's own cost; shape floor over floor
 *   is what the engine spends on the state such resources carry;
 * - lowerBound: a script that sends exactly the necessary calls with the project's client, at
 *   the same concurrency as the provider (the client's limit, 8 by default);
 * - curlSequence: what the support articles describe, one consumer after another, a fresh token
 *   per consumer, one request at a time (--skip-curl leaves it out).
 *
 * Each engine program runs on the default file backend with a checkpoint after every step, and
 * again with PULUMI_SKIP_CHECKPOINTS (--modes checkpoints,skip). The program's and the provider
 * process's CPU time are read from the processes themselves (bench/cpuProbe.ts). A last section
 * counts the requests of the demo program's lookups (getApiInstance, getTier) in a no-op up.
 *
 * Prints markdown tables and writes bench/results/latest.json and latest.md.
 *
 *   npm run bench -- [--n 10,100,300] [--latency 50] [--concurrency 8] [--parallel P]
 *                    [--modes checkpoints,skip] [--floors ts,js,shape] [--repeat K] [--skip-curl] [--skip-lookups]
 *                    [--oldest-sdk] [--out DIR]
 */
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { AnypointClient } from "../client";
import { createLocalStack, type LocalStack } from "../cli/stack";
import { packageRoot, pulumiBinDir } from "../cli/pulumiCli";
import {
  controlClient,
  DEMO_CREDENTIALS,
  startEmulator,
  type ControlClient,
  type RequestLogEntry,
} from "../emulator";

const ROOT_ORG = "7f3c2a91-4d8e-4b6a-9c1f-2e5d8a7b3c10";
const SANDBOX = "5e1f7c2a-8b3d-4e6f-9a0b-1c2d3e4f5a61";
const CREDENTIALS = { clientId: DEMO_CREDENTIALS.clientId, clientSecret: DEMO_CREDENTIALS.clientSecret };
/** Each consumer gets an application and two contracts: one API without tiers, one auto-approve tier. */
const CONTRACTS = [
  { suffix: "payments", apiInstanceId: 18800102, tierId: undefined },
  { suffix: "orders", apiInstanceId: 18800101, tierId: 5100102 },
] as const;
const TOKEN_PATH = "/accounts/api/v2/oauth2/token";
const DRIFT_SHARE = 0.1;

type Phase = "up" | "noop" | "refresh" | "drift" | "destroy";
const PHASES: Phase[] = ["up", "noop", "refresh", "drift", "destroy"];
const PHASE_LABEL: Record<Phase, string> = {
  up: "up (create)",
  noop: "no-op up",
  refresh: "refresh",
  drift: "up --refresh after 10% drift",
  destroy: "destroy",
};
/** checkpoints: the default file backend, the state written after every step; skip: PULUMI_SKIP_CHECKPOINTS. */
type Mode = "checkpoints" | "skip";
const MODE_LABEL: Record<Mode, string> = {
  checkpoints: "default (checkpoints)",
  skip: "PULUMI_SKIP_CHECKPOINTS",
};
/**
 * ts: the engine floor as a TypeScript program (the time reference); js: the same in plain
 * JavaScript (the state-size reference); shape: the floor's do-nothing provider with the
 * provider's state shape (bench/floor/shape/index.ts).
 */
type Floor = "ts" | "js" | "shape";

interface Figures {
  wallMs: number;
  requests: number;
  tokenRequests: number;
  peakConcurrency: number;
  byEndpoint: Record<string, number>;
  /** What the engine reported (engine runs only). */
  changes?: Record<string, number>;
  /** CPU time of the program and provider processes (engine runs only). */
  cpu?: {
    programMs: number;
    providerMs: number;
    /** The engine: the CLI, its language host and plugins, less the program and the provider (Linux only). */
    engineMs?: number;
    /** This process: the emulator (and the Automation API's event stream, the same for every program). */
    benchMs?: number;
  };
}

/** The stack's checkpoint file after `up`, as the backend stores it. */
interface StateFigures {
  bytes: number;
  resources: number;
  bytesPerResource: number;
  /** Per resource type: count, mean bytes of one resource in the file, `__provider` length. */
  byType: Record<string, { count: number; meanBytes: number; providerChars: number }>;
}

interface EngineRun {
  phases: Partial<Record<Phase, Figures>>;
  state?: StateFigures;
}

interface Options {
  sizes: number[];
  latencyMs: number;
  concurrency: number;
  parallel?: number;
  modes: Mode[];
  floors: Floor[];
  /** Rounds of the provider and its floors, one after the other; the report gives medians. */
  repeat: number;
  curl: boolean;
  lookups: boolean;
  /** --floors-only: only the floor programs (e.g. a second run alongside one that measures the provider). */
  floorsOnly: boolean;
  /**
   * --oldest-sdk: then the same measurement (without lookups and curl) in a copy of the checkout
   * with the oldest @pulumi/pulumi the peer dependency allows, with the same CLI.
   */
  oldestSdk?: boolean;
  outDir: string;
}

function parseArgs(argv: string[]): Options {
  const value = (flag: string): string | undefined => {
    const at = argv.indexOf(flag);
    return at >= 0 ? argv[at + 1] : undefined;
  };
  const positive = (raw: string | undefined, fallback: number, flag: string): number => {
    if (raw === undefined) return fallback;
    const parsed = Number(raw);
    if (!Number.isInteger(parsed) || parsed < 0) throw new Error(`${flag} needs a whole number, not ${raw}`);
    return parsed;
  };
  const sizes = (value("--n") ?? "10,100,300").split(",").map((raw) => positive(raw, 0, "--n"));
  const list = <T extends string>(flag: string, allowed: readonly T[], fallback: T[]): T[] => {
    const raw = value(flag);
    if (raw === undefined) return fallback;
    const items = raw.split(",");
    for (const item of items) {
      if (!allowed.includes(item as T)) throw new Error(`${flag} takes ${allowed.join(",")}, not ${item}`);
    }
    return items as T[];
  };
  return {
    sizes,
    latencyMs: positive(value("--latency"), 50, "--latency"),
    concurrency: positive(value("--concurrency"), 8, "--concurrency"),
    parallel: value("--parallel") === undefined ? undefined : positive(value("--parallel"), 0, "--parallel"),
    // --skip-checkpoints alone keeps its old meaning: only the skipped-checkpoint runs.
    modes: list<Mode>(
      "--modes",
      ["checkpoints", "skip"],
      argv.includes("--skip-checkpoints") ? ["skip"] : ["checkpoints", "skip"],
    ),
    floors: list<Floor>("--floors", ["ts", "js", "shape"], ["ts", "js", "shape"]),
    repeat: Math.max(1, positive(value("--repeat"), 1, "--repeat")),
    curl: !argv.includes("--skip-curl"),
    lookups: !argv.includes("--skip-lookups") && !argv.includes("--floors-only"),
    floorsOnly: argv.includes("--floors-only"),
    oldestSdk: argv.includes("--oldest-sdk"),
    outDir: value("--out") ?? path.join(packageRoot(), "bench", "results"),
  };
}

/** `POST /exchange/api/v2/organizations/{uuid}/applications/{id}/contracts` */
export function routeTemplate(entry: Pick<RequestLogEntry, "method" | "path">): string {
  const template = entry.path
    .replace(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/gi, "{uuid}")
    .replace(/\/\d+(?=\/|$)/g, "/{id}");
  return `${entry.method} ${template}`;
}

/** Where the engine's node processes report their CPU time (bench/cpuProbe.ts). */
const cpuLog = path.join(os.tmpdir(), `pulumi-anypoint-bench-cpu-${process.pid}.jsonl`);

function engineEnv(mode: Mode): Record<string, string> {
  const probe = path.join(__dirname, "cpuProbe.js");
  return {
    ...(mode === "skip" ? { PULUMI_SKIP_CHECKPOINTS: "true" } : {}),
    NODE_OPTIONS: [process.env.NODE_OPTIONS, `--require ${probe}`].filter(Boolean).join(" "),
    PULUMI_ANYPOINT_BENCH_CPU_LOG: cpuLog,
  };
}

function cpuSince(): { programMs: number; providerMs: number } {
  const totals = { programMs: 0, providerMs: 0 };
  const dir = path.dirname(cpuLog);
  const prefix = `${path.basename(cpuLog)}.`;
  for (const name of fs.readdirSync(dir).filter((file) => file.startsWith(prefix))) {
    try {
      const entry = JSON.parse(fs.readFileSync(path.join(dir, name), "utf8")) as {
        role: string;
        cpuMs: number;
      };
      if (entry.role === "program") totals.programMs += entry.cpuMs;
      if (entry.role === "provider") totals.providerMs += entry.cpuMs;
    } catch {
      // Caught mid-write by a process still running: its last figure is lost, a few ms at most.
    }
  }
  return totals;
}

function engineCpu(
  processes: { programMs: number; providerMs: number },
  childrenMs: number | undefined,
  benchMs: number,
): NonNullable<Figures["cpu"]> {
  // Below zero, some child was not reaped through the CLI: no figure rather than a wrong one.
  const rest = childrenMs === undefined ? undefined : childrenMs - processes.programMs - processes.providerMs;
  return { ...processes, engineMs: rest !== undefined && rest >= 0 ? rest : undefined, benchMs };
}

function clearCpu(): void {
  const dir = path.dirname(cpuLog);
  const prefix = `${path.basename(cpuLog)}.`;
  for (const name of fs.readdirSync(dir).filter((file) => file.startsWith(prefix))) {
    fs.rmSync(path.join(dir, name), { force: true });
  }
}

/**
 * CPU time of this process's finished children, with theirs (the CLI reaps its language host
 * and plugins): fields 16 and 17 of /proc/self/stat, in clock ticks (100 per second on Linux).
 * Undefined elsewhere.
 */
function childrenCpuMs(): number | undefined {
  try {
    const stat = fs.readFileSync("/proc/self/stat", "utf8");
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    // fields[0] is field 3 (state): cutime is field 16, cstime field 17.
    return (Number(fields[13]) + Number(fields[14])) * 10;
  } catch {
    return undefined;
  }
}

async function measure(
  control: ControlClient,
  run: () => Promise<Record<string, number> | void>,
): Promise<Figures> {
  await control.clearRequests();
  clearCpu();
  const children = childrenCpuMs();
  const self = process.cpuUsage();
  const started = Date.now();
  const changes = await run();
  const wallMs = Date.now() - started;
  const benchMs = (({ user, system }) => (user + system) / 1000)(process.cpuUsage(self));
  const childrenMs = children === undefined ? undefined : (childrenCpuMs() ?? children) - children;
  const log = await control.requests();
  const byEndpoint: Record<string, number> = {};
  for (const entry of log.requests) {
    const key = routeTemplate(entry);
    byEndpoint[key] = (byEndpoint[key] ?? 0) + 1;
  }
  return {
    wallMs,
    requests: log.requests.length,
    tokenRequests: log.requests.filter((entry) => entry.path === TOKEN_PATH).length,
    peakConcurrency: log.peakConcurrency,
    byEndpoint,
    ...(changes ? { changes, cpu: engineCpu(cpuSince(), childrenMs, benchMs) } : {}),
  };
}

/** The checkpoint file the file backend keeps for a stack, measured as it is on disk. */
function stateFigures(local: LocalStack, projectName: string, stackName: string): StateFigures {
  const file = path.join(local.stateDir, "backend", ".pulumi", "stacks", projectName, `${stackName}.json`);
  const text = fs.readFileSync(file, "utf8");
  const resources =
    (
      JSON.parse(text) as {
        checkpoint: { latest: { resources?: { type: string; inputs?: { __provider?: string } }[] } };
      }
    ).checkpoint.latest.resources ?? [];
  const byType: StateFigures["byType"] = {};
  for (const resource of resources) {
    // The file is compact JSON: a resource's share is its own JSON and a comma.
    const bytes = Buffer.byteLength(JSON.stringify(resource)) + 1;
    const entry = (byType[resource.type] ??= { count: 0, meanBytes: 0, providerChars: 0 });
    entry.meanBytes = (entry.meanBytes * entry.count + bytes) / (entry.count + 1);
    entry.count++;
    entry.providerChars = Math.max(entry.providerChars, resource.inputs?.__provider?.length ?? 0);
  }
  const bytes = Buffer.byteLength(text);
  return {
    bytes,
    resources: resources.length,
    bytesPerResource: bytes / Math.max(1, resources.length),
    byType,
  };
}

const appName = (n: number, i: number) => `bench-n${n}-consumer-${String(i).padStart(4, "0")}`;

/** The ids of the consumers whose application and first contract are changed out of band. */
function driftedIndexes(n: number): number[] {
  const count = Math.max(1, Math.round(n * DRIFT_SHARE));
  const step = n / count;
  return Array.from({ length: count }, (_, k) => Math.floor(k * step));
}

interface Consumer {
  applicationId: number;
  contractIds: number[];
}

/** Changes a description and revokes a contract "in the UI" for 10% of the consumers. */
async function applyDrift(control: ControlClient, n: number, consumers: Consumer[]): Promise<void> {
  for (const i of driftedIndexes(n)) {
    await control.changeApplication(consumers[i].applicationId, { description: "changed in the UI" });
    await control.changeContract(consumers[i].contractIds[0], { status: "REVOKED" });
  }
}

async function consumersFromState(control: ControlClient, n: number): Promise<Consumer[]> {
  const state = await control.state();
  return Array.from({ length: n }, (_, i) => {
    const app = state.applications.find((candidate) => candidate.name === appName(n, i));
    if (!app) throw new Error(`application ${appName(n, i)} is missing from the emulator`);
    const contractIds = CONTRACTS.map((wanted) => {
      const contract = state.contracts.find(
        (c) => c.applicationId === app.id && c.apiId === wanted.apiInstanceId,
      );
      if (!contract) throw new Error(`contract ${wanted.suffix} of ${app.name} is missing from the emulator`);
      return contract.id;
    });
    return { applicationId: app.id, contractIds };
  });
}

// ---- the provider, through the real engine -------------------------------------------------

async function runProvider(n: number, url: string, control: ControlClient, options: Options, mode: Mode) {
  const workDir = path.join(packageRoot(), "test", "fixtures", "declared");
  const stackName = `bench-n${n}-${mode}-${process.pid}`;
  // Handed over as a file, not as config: the engine records the stack's whole config in the
  // default provider's state, and so writes it into every checkpoint (about 100 KB at N=300, and
  // the floors' config is one number).
  const spec = {
    // No stack outputs, as the floor (test/fixtures/declared/index.js).
    exports: false,
    applications: Array.from({ length: n }, (_, i) => ({ key: `a${i}`, name: appName(n, i) })),
    contracts: Array.from({ length: n }, (_, i) =>
      CONTRACTS.map((contract) => ({
        key: `a${i}${contract.suffix[0]}`,
        application: `a${i}`,
        environmentId: SANDBOX,
        apiInstanceId: contract.apiInstanceId,
        ...(contract.tierId ? { tierId: contract.tierId } : {}),
      })),
    ).flat(),
  };
  const specFile = path.join(os.tmpdir(), `pulumi-anypoint-bench-spec-${process.pid}.json`);
  fs.writeFileSync(specFile, JSON.stringify(spec));
  let local: LocalStack | undefined;
  const run: EngineRun = { phases: {} };
  const figures = run.phases;
  try {
    local = await createLocalStack({
      projectName: "declared",
      stackName,
      workDir,
      env: engineEnv(mode),
      config: {
        "anypoint:baseUrl": { value: url },
        "anypoint:clientId": { value: CREDENTIALS.clientId },
        "anypoint:clientSecret": { value: CREDENTIALS.clientSecret, secret: true },
        "declared:specFile": { value: specFile },
      },
    });
    const stack = local.stack;
    const parallel = options.parallel ? { parallel: options.parallel } : {};
    const changes = (summary: { resourceChanges?: Record<string, number> }) => summary.resourceChanges ?? {};
    figures.up = await measure(control, async () => changes((await stack.up(parallel)).summary));
    run.state = stateFigures(local, "declared", stackName);
    figures.noop = await measure(control, async () => changes((await stack.up(parallel)).summary));
    figures.refresh = await measure(control, async () => changes((await stack.refresh(parallel)).summary));
    await applyDrift(control, n, await consumersFromState(control, n));
    figures.drift = await measure(control, async () =>
      changes((await stack.up({ ...parallel, refresh: true })).summary),
    );
    figures.destroy = await measure(control, async () => changes((await stack.destroy(parallel)).summary));
  } finally {
    if (local) await removeBenchStack(local, workDir, stackName);
    fs.rmSync(specFile, { force: true });
  }
  return run;
}

/** Removes a benchmark stack, its state and the stack file the engine wrote beside the program. */
async function removeBenchStack(local: LocalStack, workDir: string, stackName: string): Promise<void> {
  await local.stack.workspace.removeStack(stackName, { force: true }).catch(() => undefined);
  await local.dispose();
  fs.rmSync(path.join(workDir, `Pulumi.${stackName}.yaml`), { force: true });
}

// ---- the engine floor: 3N dynamic resources whose provider does nothing --------------------

async function runFloor(n: number, control: ControlClient, options: Options, mode: Mode, floor: Floor) {
  const workDir = path.join(packageRoot(), "bench", "floor", floor);
  const projectName = `floor-${floor}`;
  if (floor === "shape") installShapeProvider(workDir);
  const stackName = `bench-n${n}-${mode}-${process.pid}`;
  let local: LocalStack | undefined;
  const run: EngineRun = { phases: {} };
  try {
    local = await createLocalStack({
      projectName,
      stackName,
      workDir,
      env: engineEnv(mode),
      config: { "floor:count": { value: String(3 * n) } },
    });
    const stack = local.stack;
    const parallel = options.parallel ? { parallel: options.parallel } : {};
    const changes = (summary: { resourceChanges?: Record<string, number> }) => summary.resourceChanges ?? {};
    run.phases.up = await measure(control, async () => changes((await stack.up(parallel)).summary));
    run.state = stateFigures(local, projectName, stackName);
    run.phases.noop = await measure(control, async () => changes((await stack.up(parallel)).summary));
    run.phases.refresh = await measure(control, async () => changes((await stack.refresh(parallel)).summary));
    run.phases.destroy = await measure(control, async () => changes((await stack.destroy(parallel)).summary));
  } finally {
    if (local) await removeBenchStack(local, workDir, stackName);
  }
  return run;
}

/**
 * Installs bench/floor/shape/provider.js as the package `floor-shape` beside that program, so
 * that the SDK serializes it as a `require` (as it does pulumi-anypoint's installed kinds), not
 * as a closure several times as long.
 */
function installShapeProvider(workDir: string): void {
  const dir = path.join(workDir, "node_modules", "floor-shape");
  fs.mkdirSync(dir, { recursive: true });
  fs.copyFileSync(path.join(workDir, "provider.js"), path.join(dir, "index.js"));
}

// ---- the oldest supported SDK: the same measurement in a copy of the checkout -------------

/** The oldest @pulumi/pulumi the package's peer dependency allows (read as CI's oldest-SDK cell reads it). */
function oldestSdkVersion(): string {
  const manifest = JSON.parse(fs.readFileSync(path.join(packageRoot(), "package.json"), "utf8")) as {
    peerDependencies?: Record<string, string>;
  };
  const found = />=\s*([0-9.]+)/.exec(manifest.peerDependencies?.["@pulumi/pulumi"] ?? "");
  if (!found) throw new Error("package.json: the @pulumi/pulumi peer dependency has no lower bound");
  return found[1];
}

/**
 * Runs this benchmark again with the same options, but no lookups, curl sequence or further SDK,
 * in a copy of the checkout (its tracked and not-ignored files, as CI's oldest-SDK cell copies
 * it) whose node_modules hold the oldest supported SDK; the main tree keeps the locked one. The
 * copy uses the same Pulumi CLI. Returns the copy's results; a run that cannot finish fails.
 */
function runOldestSdk(argv: string[], say: (text: string) => void): Saved {
  const version = oldestSdkVersion();
  const root = packageRoot();
  const copy = fs.mkdtempSync(path.join(os.tmpdir(), "pulumi-anypoint-bench-sdk-"));
  try {
    const listed = execFileSync("git", ["ls-files", "-z", "--cached", "--others", "--exclude-standard"], {
      cwd: root,
      encoding: "utf8",
    });
    for (const file of listed.split("\0").filter(Boolean)) {
      const from = path.join(root, file);
      if (!fs.existsSync(from)) continue; // deleted in the working tree, not yet committed
      fs.mkdirSync(path.dirname(path.join(copy, file)), { recursive: true });
      fs.copyFileSync(from, path.join(copy, file));
    }
    const env = {
      ...process.env,
      PULUMI_ANYPOINT_SDK_VERSION: version,
      PULUMI_ANYPOINT_PULUMI_BIN: pulumiBinDir(),
    };
    const run = (command: string, args: string[]) =>
      execFileSync(command, args, { cwd: copy, env, stdio: ["ignore", 2, 2] });
    say(`oldest SDK ${version}: installing it in a copy of the checkout (${copy})...`);
    run("bash", ["dev.sh", "setup"]);
    run("npm", ["run", "--silent", "build"]);
    const outDir = path.join(copy, "bench-results");
    const at = argv.indexOf("--out");
    const rest = argv.filter((arg, i) => arg !== "--oldest-sdk" && !(at >= 0 && (i === at || i === at + 1)));
    say(`oldest SDK ${version}: the same measurement...`);
    run(process.execPath, [
      path.join("dist", "bench", "providerBench.js"),
      ...rest,
      "--skip-lookups",
      "--skip-curl",
      "--out",
      outDir,
    ]);
    const result = JSON.parse(fs.readFileSync(path.join(outDir, "latest.json"), "utf8")) as Saved;
    if (result.environment.sdk !== version) {
      throw new Error(`the copy measured @pulumi/pulumi ${result.environment.sdk}, not ${version}`);
    }
    return result;
  } finally {
    fs.rmSync(copy, { recursive: true, force: true });
  }
}

// ---- lookups: the demo program's getApiInstance and getTier in a no-op up ------------------

interface LookupFigures {
  /** The demo's distinct lookups: API instance lists and tier lists. */
  distinct: { instanceLists: number; tierLists: number };
  noop: Figures;
  /** The same no-op up with `anypoint:organizationId` set: no `/accounts/api/me`. */
  noopWithOrganization: Figures;
}

async function runLookups(url: string, control: ControlClient): Promise<LookupFigures> {
  const workDir = packageRoot();
  const stackName = `bench-lookups-${process.pid}`;
  let local: LocalStack | undefined;
  try {
    local = await createLocalStack({
      projectName: "anypoint-access",
      stackName,
      workDir,
      env: engineEnv("checkpoints"),
      config: {
        "anypoint:baseUrl": { value: url },
        "anypoint:clientId": { value: CREDENTIALS.clientId },
        "anypoint:clientSecret": { value: CREDENTIALS.clientSecret, secret: true },
      },
    });
    const stack = local.stack;
    await stack.up();
    const noopUp = async () => (await stack.up()).summary.resourceChanges ?? {};
    const noop = await measure(control, noopUp);
    // Without it the root organization is asked of /accounts/api/me once per program run.
    await stack.setConfig("anypoint:organizationId", { value: ROOT_ORG });
    const noopWithOrganization = await measure(control, noopUp);
    await stack.destroy();
    // demo/index.ts: payments-api and orders-api v1 (two instance lists), Gold of orders (one tier list).
    return { distinct: { instanceLists: 2, tierLists: 1 }, noop, noopWithOrganization };
  } finally {
    if (local) await removeBenchStack(local, workDir, stackName);
  }
}

// ---- the lower bound: only the necessary calls, at the provider's concurrency -------------

async function runLowerBound(n: number, url: string, control: ControlClient, options: Options) {
  // A new client per phase, as each engine run starts a new provider process (one token each).
  const client = () =>
    AnypointClient.fromOptions({ baseUrl: url, ...CREDENTIALS, maxConcurrency: options.concurrency }, {});
  const figures: Partial<Record<Phase, Figures>> = {};
  let consumers: Consumer[] = [];

  figures.up = await measure(control, async () => {
    const c = client();
    const org = await c.rootOrganizationId();
    // The Exchange request needs the asset coordinates: one lookup per API instance.
    const instances = await Promise.all(
      CONTRACTS.map((contract) => c.getApiInstance(org, SANDBOX, contract.apiInstanceId)),
    );
    consumers = await Promise.all(
      Array.from({ length: n }, async (_, i) => {
        const app = await c.createApplication(org, {
          name: appName(n, i),
          redirectUri: [],
        });
        const contracts = await Promise.all(
          CONTRACTS.map((contract, k) =>
            c.createContract(org, app.id, {
              acceptedTerms: true,
              instanceType: "api",
              organizationId: instances[k].organizationId ?? org,
              groupId: instances[k].groupId,
              assetId: instances[k].assetId,
              version: instances[k].assetVersion,
              versionGroup: instances[k].productVersion,
              apiId: contract.apiInstanceId,
              environmentId: SANDBOX,
              ...(contract.tierId ? { requestedTierId: contract.tierId } : {}),
            }),
          ),
        );
        return { applicationId: app.id, contractIds: contracts.map((contract) => contract.id) };
      }),
    );
  });
  // Nothing changed, so nothing needs to be sent.
  figures.noop = await measure(control, async () => undefined);
  const readAll = async (c: AnypointClient) =>
    Promise.all(
      consumers.map(async (consumer) => {
        const [app, contracts] = await Promise.all([
          c.getApplication(ROOT_ORG, consumer.applicationId),
          c.listApplicationContracts(ROOT_ORG, consumer.applicationId),
        ]);
        return { consumer, app, contracts };
      }),
    );
  figures.refresh = await measure(control, async () => {
    await readAll(client());
  });
  await applyDrift(control, n, consumers);
  figures.drift = await measure(control, async () => {
    const c = client();
    const live = await readAll(c);
    await Promise.all(
      live.map(async ({ consumer, app, contracts }) => {
        if (app.description) {
          await c.updateApplication(ROOT_ORG, consumer.applicationId, { description: "" });
        }
        for (const [k, contractId] of consumer.contractIds.entries()) {
          if (contracts.find((contract) => contract.id === contractId)?.status === "REVOKED") {
            await c.restoreContract(ROOT_ORG, SANDBOX, CONTRACTS[k].apiInstanceId, contractId);
          }
        }
      }),
    );
  });
  figures.destroy = await measure(control, async () => {
    const c = client();
    await Promise.all(
      consumers.map(async (consumer) => {
        await Promise.all(
          consumer.contractIds.map(async (contractId, k) => {
            await c.revokeContract(ROOT_ORG, SANDBOX, CONTRACTS[k].apiInstanceId, contractId);
            await c.deleteApiContract(ROOT_ORG, SANDBOX, CONTRACTS[k].apiInstanceId, contractId);
          }),
        );
        await c.deleteApplication(ROOT_ORG, consumer.applicationId);
      }),
    );
  });
  return figures;
}

// ---- what people do today: the support articles' curl sequence -----------------------------

/** One curl call: plain HTTP, no retry, fails on any non-2xx answer. */
async function curl(
  url: string,
  method: string,
  route: string,
  token?: string,
  body?: unknown,
): Promise<unknown> {
  const form = route === TOKEN_PATH;
  const response = await fetch(`${url}${route}`, {
    method,
    headers: {
      ...(token ? { authorization: `Bearer ${token}` } : {}),
      ...(body === undefined
        ? {}
        : { "content-type": form ? "application/x-www-form-urlencoded" : "application/json" }),
    },
    body:
      body === undefined
        ? undefined
        : form
          ? new URLSearchParams(body as Record<string, string>)
          : JSON.stringify(body),
  });
  const text = await response.text();
  if (!response.ok) throw new Error(`curl ${method} ${route}: ${response.status} ${text.slice(0, 200)}`);
  return text ? JSON.parse(text) : undefined;
}

async function curlToken(url: string): Promise<string> {
  const answer = (await curl(url, "POST", TOKEN_PATH, undefined, {
    grant_type: "client_credentials",
    client_id: CREDENTIALS.clientId,
    client_secret: CREDENTIALS.clientSecret,
  })) as { access_token: string };
  return answer.access_token;
}

const E2 = `/exchange/api/v2/organizations/${ROOT_ORG}/applications`;
const AM = `/apimanager/api/v1/organizations/${ROOT_ORG}/environments/${SANDBOX}/apis`;
const XAPI = `/apimanager/xapi/v1/organizations/${ROOT_ORG}/environments/${SANDBOX}/apis`;

async function runCurlSequence(n: number, url: string, control: ControlClient) {
  const figures: Partial<Record<Phase, Figures>> = {};
  const consumers: Consumer[] = [];
  figures.up = await measure(control, async () => {
    for (let i = 0; i < n; i++) {
      const token = await curlToken(url);
      const app = (await curl(url, "POST", E2, token, {
        name: appName(n, i),
        redirectUri: [],
      })) as { id: number };
      const contractIds: number[] = [];
      for (const contract of CONTRACTS) {
        const instance = (await curl(url, "GET", `${AM}/${contract.apiInstanceId}`, token)) as {
          groupId: string;
          assetId: string;
          assetVersion: string;
          productVersion: string;
        };
        const created = (await curl(url, "POST", `${E2}/${app.id}/contracts`, token, {
          acceptedTerms: true,
          instanceType: "api",
          organizationId: ROOT_ORG,
          groupId: instance.groupId,
          assetId: instance.assetId,
          version: instance.assetVersion,
          versionGroup: instance.productVersion,
          apiId: contract.apiInstanceId,
          environmentId: SANDBOX,
          ...(contract.tierId ? { requestedTierId: contract.tierId } : {}),
        })) as { id: number; status: string };
        if (created.status === "PENDING") {
          await curl(
            url,
            "POST",
            `${XAPI}/${contract.apiInstanceId}/contracts/${created.id}/approve`,
            token,
            {},
          );
        }
        contractIds.push(created.id);
      }
      consumers.push({ applicationId: app.id, contractIds });
    }
  });
  // A curl script has no notion of "nothing to do": it is simply not run.
  figures.noop = await measure(control, async () => undefined);
  const check = async (fix: boolean) => {
    for (const consumer of consumers) {
      const token = await curlToken(url);
      const app = (await curl(url, "GET", `${E2}/${consumer.applicationId}`, token)) as {
        description: string;
      };
      const contracts = (await curl(url, "GET", `${E2}/${consumer.applicationId}/contracts`, token)) as {
        id: number;
        status: string;
      }[];
      if (!fix) continue;
      if (app.description) {
        await curl(url, "PATCH", `${E2}/${consumer.applicationId}`, token, {
          description: "",
        });
      }
      for (const [k, contractId] of consumer.contractIds.entries()) {
        if (contracts.find((contract) => contract.id === contractId)?.status === "REVOKED") {
          await curl(
            url,
            "POST",
            `${XAPI}/${CONTRACTS[k].apiInstanceId}/contracts/${contractId}/restore`,
            token,
            {},
          );
        }
      }
    }
  };
  figures.refresh = await measure(control, () => check(false));
  await applyDrift(control, n, consumers);
  figures.drift = await measure(control, () => check(true));
  figures.destroy = await measure(control, async () => {
    for (const consumer of consumers) {
      const token = await curlToken(url);
      for (const [k, contractId] of consumer.contractIds.entries()) {
        const where = `${CONTRACTS[k].apiInstanceId}/contracts/${contractId}`;
        await curl(url, "POST", `${XAPI}/${where}/revoke`, token, {});
        await curl(url, "DELETE", `${AM}/${where}`, token);
      }
      await curl(url, "DELETE", `${E2}/${consumer.applicationId}`, token);
    }
  });
  return figures;
}

/** The main table: each phase's wall time for the provider and each floor, their ratios and CPU. */
function phaseTable(saved: Saved, floorName: Record<Floor, string>): string[] {
  const { options, results } = saved;
  const lines = [
    "| N | backend | phase | provider | " +
      options.floors.map((f) => floorName[f]).join(" | ") +
      " | " +
      options.floors.map((f) => `x ${floorName[f]}`).join(" | ") +
      " | lower bound | x LB | requests / tokens (provider) | program CPU provider / floor | provider CPU | engine CPU provider / floor | bench CPU provider / floor |",
    "| --: | --- | --- | --: | " +
      options.floors.map(() => "--:").join(" | ") +
      " | " +
      options.floors.map(() => "--:").join(" | ") +
      " | --: | --: | --: | --: | --: | --: | --: |",
  ];
  for (const result of results) {
    for (const mode of options.modes) {
      const engine = result.engine[mode];
      if (!engine) continue;
      for (const phase of PHASES) {
        const provider = engine.provider.phases[phase];
        const floors = options.floors.map((f) => engine.floors[f]?.phases[phase]);
        if (!provider && floors.every((f) => !f)) continue;
        const lowerBound = result.lowerBound[phase];
        const mainFloor = floors[0];
        lines.push(
          `| ${result.n} | ${MODE_LABEL[mode]} | ${PHASE_LABEL[phase]} | ${provider ? `${seconds(provider.wallMs)} s` : "-"} | ` +
            floors.map((f) => (f ? `${seconds(f.wallMs)} s` : "-")).join(" | ") +
            " | " +
            floors.map((f) => ratio(provider?.wallMs, f?.wallMs)).join(" | ") +
            ` | ${lowerBound ? `${seconds(lowerBound.wallMs)} s` : "-"} | ${ratio(provider?.wallMs, lowerBound?.wallMs)} | ` +
            `${provider ? `${provider.requests} / ${provider.tokenRequests}` : "-"} | ` +
            `${provider?.cpu ? seconds(provider.cpu.programMs) : "-"} / ${mainFloor?.cpu ? seconds(mainFloor.cpu.programMs) : "-"} | ` +
            `${provider?.cpu ? seconds(provider.cpu.providerMs) : "-"} | ` +
            `${cpuPair(provider?.cpu?.engineMs, mainFloor?.cpu?.engineMs)} | ${cpuPair(provider?.cpu?.benchMs, mainFloor?.cpu?.benchMs)} |`,
        );
      }
    }
  }
  return lines;
}

/** Each program's checkpoint file after `up`: bytes per resource, and per resource type. */
function stateTable(saved: Saved, floorName: Record<Floor, string>): string[] {
  const { options, results } = saved;
  const lines = [
    "| N | program | file bytes | resources | bytes / resource | x floor JS | per type: mean bytes (`__provider` chars) |",
    "| --: | --- | --: | --: | --: | --: | --- |",
  ];
  for (const result of results) {
    const mode = (["checkpoints", "skip"] as Mode[]).find((m) => result.engine[m]);
    const engine = mode ? result.engine[mode] : undefined;
    if (!engine) continue;
    const jsFloor = engine.floors.js?.state?.bytesPerResource;
    const rows: [string, EngineRun | undefined][] = [
      ["provider", engine.provider],
      ...options.floors.map((f) => [floorName[f], engine.floors[f]] as [string, EngineRun | undefined]),
    ];
    for (const [name, run] of rows) {
      const state = run?.state;
      if (!state) continue;
      const types = Object.entries(state.byType)
        .filter(([type]) => type.startsWith("pulumi-nodejs:dynamic/"))
        .map(([type, t]) => `${shortType(type)}: ${t.meanBytes.toFixed(0)} (${t.providerChars})`)
        .join("; ");
      lines.push(
        `| ${result.n} | ${name} | ${state.bytes} | ${state.resources} | ${state.bytesPerResource.toFixed(0)} | ${ratio(state.bytesPerResource, jsFloor)} | ${types} |`,
      );
    }
  }
  return lines;
}

/** The median of several numbers (of an even count, the mean of the middle two). */
function medianOf(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

/**
 * Per round, the provider's wall time over each floor's (only when there were several rounds),
 * with the median of those ratios from three rounds on: the provider and its floors of one round
 * ran minutes apart, so a round's ratio is less exposed to a slow spell than two medians taken
 * separately.
 */
function roundLines(saved: Saved, floorName: Record<Floor, string>): string[] {
  const { options, results } = saved;
  if ((options.repeat ?? 1) < 2) return [];
  const lines = [
    "",
    "### Rounds: the provider's wall time over each floor's, round by round (from three rounds on, their median)",
    "",
    "| N | backend | phase | " + options.floors.map((f) => `x ${floorName[f]}`).join(" | ") + " |",
    "| --: | --- | --- | " + options.floors.map(() => "---").join(" | ") + " |",
  ];
  for (const result of results) {
    for (const mode of options.modes) {
      const rounds = result.engine[mode]?.rounds ?? [];
      for (const phase of PHASES) {
        const cells = options.floors.map((floor) => {
          const ratios = rounds.map((round) =>
            ratio(round.provider.phases[phase]?.wallMs, round.floors[floor]?.phases[phase]?.wallMs),
          );
          const measured = ratios.filter((r) => r !== "-").map(Number);
          return measured.length > 2
            ? `${ratios.join(", ")}; median ${medianOf(measured).toFixed(2)}`
            : ratios.join(", ");
        });
        if (cells.every((cell) => /^[-, ]*$/.test(cell))) continue;
        lines.push(`| ${result.n} | ${MODE_LABEL[mode]} | ${PHASE_LABEL[phase]} | ${cells.join(" | ")} |`);
      }
    }
  }
  return lines;
}

/** Each phase's median round (by wall time) for the provider and for each floor. */
function medians(rounds: EngineRound[], floors: Floor[]): EngineRound {
  const median = (runs: (EngineRun | undefined)[]): EngineRun | undefined => {
    const present = runs.filter((run): run is EngineRun => run !== undefined);
    if (present.length === 0) return undefined;
    const phases: EngineRun["phases"] = {};
    for (const phase of PHASES) {
      const figures = present
        .map((run) => run.phases[phase])
        .filter((f): f is Figures => f !== undefined)
        .sort((a, b) => a.wallMs - b.wallMs);
      // The lower median: a figure that was measured, not an average of two.
      if (figures.length > 0) phases[phase] = figures[Math.floor((figures.length - 1) / 2)];
    }
    return { phases, state: present[0].state };
  };
  const result: EngineRound = {
    provider: median(rounds.map((r) => r.provider)) ?? { phases: {} },
    floors: {},
  };
  for (const floor of floors) {
    const run = median(rounds.map((r) => r.floors[floor]));
    if (run) result.floors[floor] = run;
  }
  return result;
}

// ---- report --------------------------------------------------------------------------------

interface EngineRound {
  provider: EngineRun;
  floors: Partial<Record<Floor, EngineRun>>;
}

interface SizeResult {
  n: number;
  /** Per mode: each phase's median over the rounds, and the rounds themselves. */
  engine: Partial<Record<Mode, EngineRound & { rounds?: EngineRound[] }>>;
  lowerBound: Partial<Record<Phase, Figures>>;
  curlSequence?: Partial<Record<Phase, Figures>>;
}

interface Environment {
  cli: string;
  sdk: string;
  node: string;
  cpus: number;
  loadBefore: number[];
  loadAfter?: number[];
}

interface Saved {
  started: string;
  totalMs: number;
  options: Options;
  environment: Environment;
  results: SizeResult[];
  lookups?: LookupFigures;
  /** --oldest-sdk: the same measurement with the oldest supported SDK, run right after. */
  oldestSdk?: Saved;
}

const seconds = (ms: number) => (ms / 1000).toFixed(1);
const ratio = (a: number | undefined, b: number | undefined) =>
  a !== undefined && b !== undefined && b > 0 ? (a / b).toFixed(2) : "-";
const cpuPair = (a: number | undefined, b: number | undefined) =>
  a === undefined && b === undefined
    ? "-"
    : `${a === undefined ? "-" : seconds(a)} / ${b === undefined ? "-" : seconds(b)}`;
const load = (values: number[] | undefined) => (values ?? []).map((v) => v.toFixed(2)).join(" ");
const shortType = (type: string) =>
  type.replace(/^pulumi-nodejs:dynamic\//, "").replace(/^pulumi:pulumi:/, "");

function markdown(saved: Saved): string {
  const { options, environment: env, results } = saved;
  const floorName: Record<Floor, string> = { ts: "floor TS", js: "floor JS", shape: "shape floor" };
  const lines = [
    `# Provider benchmark`,
    "",
    `${saved.started}; Pulumi CLI ${env.cli}, @pulumi/pulumi ${env.sdk}, Node ${env.node}, ${env.cpus} CPUs, ` +
      `load average (1, 5, 15 min) ${load(env.loadBefore)} at the start and ${load(env.loadAfter)} at the end. ` +
      `Emulator latency ${options.latencyMs} ms per request; N applications and 2N contracts (3N resources); ` +
      `engine --parallel ${options.parallel ?? "default"}; lower bound at concurrency ${options.concurrency}. ` +
      `Total run ${seconds(saved.totalMs)} s. Command: \`npm run bench -- --n ${options.sizes.join(",")} --latency ${options.latencyMs} ` +
      `--modes ${options.modes.join(",")} --floors ${options.floors.join(",")}${(options.repeat ?? 1) > 1 ? ` --repeat ${options.repeat}` : ""}${options.curl ? "" : " --skip-curl"}${options.lookups ? "" : " --skip-lookups"}${options.oldestSdk ? " --oldest-sdk" : ""}\`.`,
    "",
    "The floor (bench/floor/): 3N `pulumi.dynamic.Resource`s whose provider does nothing, one shared provider object, same CLI, SDK, " +
      "backend and N. `x floor` is the provider's wall time over the floor's (TypeScript floor; the JS floor is also shown). " +
      "The shape floor is the same do-nothing provider whose resources record what the provider's record (the same inputs, " +
      "outputs, secret and dependencies): `x shape floor` is what the provider's own work adds; the shape floor over the " +
      "TypeScript floor is what the engine spends on the state such resources carry. " +
      "`x LB` over the raw-HTTP lower bound's (only the necessary calls with the project's client; it does not run the engine, " +
      "so `x LB` includes the engine's whole cost). CPU, in seconds: of the program process, of the provider process, of the engine " +
      "(the CLI with its language host and plugins, less the program and the provider), and of the benchmark's own process " +
      "(the emulator, and the Automation API's event stream that every program has; the floors' is that alone)." +
      ((options.repeat ?? 1) > 1
        ? ` Each figure is the lower median of ${options.repeat} rounds${options.repeat === 2 ? " (of two, the faster)" : ""}, taken for each program on its own; ` +
          "a round runs the provider, then each floor (per-round ratios below the table)."
        : ""),
    "",
  ];
  lines.push(...phaseTable(saved, floorName));
  lines.push(...roundLines(saved, floorName));
  lines.push(
    "",
    "## State bytes per resource (the checkpoint file after `up`, default backend)",
    "",
    "Bytes per resource: the file's size over its resources (including the stack and the default provider). " +
      "Per type: the mean size of one resource in the file. `__provider`: characters of the serialized provider (stored twice: inputs and outputs).",
    "",
  );
  lines.push(...stateTable(saved, floorName));
  if (saved.oldestSdk) {
    const other = saved.oldestSdk;
    lines.push(
      "",
      `## The oldest supported SDK: @pulumi/pulumi ${other.environment.sdk}, same CLI, right after`,
      "",
      `The same programs and options in a copy of the checkout with that SDK installed (\`--oldest-sdk\`), ` +
        `started ${other.started}; load average ${load(other.environment.loadBefore)} at the start and ` +
        `${load(other.environment.loadAfter)} at the end; ${seconds(other.totalMs)} s.`,
      "",
      ...phaseTable(other, floorName),
      ...roundLines(other, floorName),
      "",
      ...stateTable(other, floorName),
    );
  }
  if (saved.lookups) {
    const { noop, noopWithOrganization, distinct } = saved.lookups;
    const runs = [
      ["without anypoint:organizationId", noop],
      ["with anypoint:organizationId", noopWithOrganization],
    ] as const;
    const endpoints = [...new Set(runs.flatMap(([, run]) => Object.keys(run?.byEndpoint ?? {})))].sort();
    lines.push(
      "",
      "## Lookups: the demo program (demo/index.ts) in a no-op up (Automation API, so the program runs once)",
      "",
      `Distinct lookups in the program: ${distinct.instanceLists} API instance lists, ${distinct.tierLists} tier list. ` +
        runs
          .map(
            ([label, run]) =>
              `${label}: ${run?.requests ?? "-"} requests, ${run?.tokenRequests ?? "-"} token request(s), changes ${JSON.stringify(run?.changes ?? {})}`,
          )
          .join("; ") +
        ".",
      "",
      `| endpoint | ${runs.map(([label]) => label).join(" | ")} |`,
      "| --- | --: | --: |",
      ...endpoints.map(
        (key) => `| \`${key}\` | ${runs.map(([, run]) => run?.byEndpoint[key] ?? 0).join(" | ")} |`,
      ),
    );
  }
  lines.push("", "## Requests by endpoint (provider, default backend / lower bound / curl sequence)", "");
  for (const result of results) {
    const mode = (["checkpoints", "skip"] as Mode[]).find((m) => result.engine[m]);
    const engine = mode ? result.engine[mode] : undefined;
    for (const phase of PHASES) {
      const provider = engine?.provider.phases[phase];
      const lowerBound = result.lowerBound[phase];
      const curl = result.curlSequence?.[phase];
      const keys = [
        ...new Set([
          ...Object.keys(provider?.byEndpoint ?? {}),
          ...Object.keys(lowerBound?.byEndpoint ?? {}),
          ...Object.keys(curl?.byEndpoint ?? {}),
        ]),
      ].sort();
      if (keys.length === 0) continue;
      lines.push(
        `### N=${result.n}, ${PHASE_LABEL[phase]}`,
        "",
        "| endpoint | provider | lower bound | curl |",
        "| --- | --: | --: | --: |",
      );
      for (const key of keys) {
        lines.push(
          `| \`${key}\` | ${provider?.byEndpoint[key] ?? 0} | ${lowerBound?.byEndpoint[key] ?? 0} | ${curl?.byEndpoint[key] ?? "-"} |`,
        );
      }
      lines.push("");
    }
  }
  return lines.join("\n") + "\n";
}

function environment(): Environment {
  const cli = execFileSync(path.join(pulumiBinDir(), "pulumi"), ["version"], { encoding: "utf8" }).trim();
  const sdk = (
    JSON.parse(fs.readFileSync(require.resolve("@pulumi/pulumi/package.json"), "utf8")) as { version: string }
  ).version;
  return { cli, sdk, node: process.versions.node, cpus: os.cpus().length, loadBefore: os.loadavg() };
}

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  const fromJson = argv.indexOf("--from-json");
  if (fromJson >= 0) {
    // Re-renders the tables of an earlier run.
    process.stdout.write(markdown(JSON.parse(fs.readFileSync(argv[fromJson + 1], "utf8")) as Saved));
    return;
  }
  const options = parseArgs(argv);
  const started = new Date();
  const env = environment();
  const emulator = await startEmulator({ port: 0, latencyMs: options.latencyMs });
  const control = controlClient(emulator.url);
  const saved: Saved = { started: started.toISOString(), totalMs: 0, options, environment: env, results: [] };
  // Written after every engine run, so a long run that is stopped still leaves what it measured.
  const save = (): string => {
    saved.totalMs = Date.now() - started.getTime();
    env.loadAfter = os.loadavg();
    fs.mkdirSync(options.outDir, { recursive: true });
    const table = markdown(saved);
    fs.writeFileSync(path.join(options.outDir, "latest.json"), JSON.stringify(saved, null, 2) + "\n");
    fs.writeFileSync(path.join(options.outDir, "latest.md"), table);
    return table;
  };
  let failure: unknown;
  const say = (text: string) => process.stderr.write(`${text}\n`);
  try {
    for (const n of options.sizes) {
      const result: SizeResult = { n, engine: {}, lowerBound: {} };
      saved.results.push(result);
      if (!options.floorsOnly) {
        await control.reset();
        say(`N=${n}: lower bound...`);
        result.lowerBound = await runLowerBound(n, emulator.url, control, options);
      }
      for (const mode of options.modes) {
        const rounds: EngineRound[] = [];
        const engine: NonNullable<SizeResult["engine"][Mode]> = {
          provider: { phases: {} },
          floors: {},
          rounds,
        };
        result.engine[mode] = engine;
        // Each round measures the provider and then each floor, so a slow spell of the machine
        // touches both sides of a ratio; the medians over the rounds are what the report shows.
        for (let round = 1; round <= options.repeat; round++) {
          const of = options.repeat > 1 ? ` (round ${round} of ${options.repeat})` : "";
          await control.reset();
          say(`N=${n}, ${MODE_LABEL[mode]}${of}: provider through the engine...`);
          const current: EngineRound = {
            provider: options.floorsOnly
              ? { phases: {} }
              : await runProvider(n, emulator.url, control, options, mode),
            floors: {},
          };
          rounds.push(current);
          Object.assign(engine, medians(rounds, options.floors));
          save();
          for (const floor of options.floors) {
            say(`N=${n}, ${MODE_LABEL[mode]}${of}: floor ${floor}...`);
            current.floors[floor] = await runFloor(n, control, options, mode, floor);
            Object.assign(engine, medians(rounds, options.floors));
            save();
          }
        }
        for (const phase of PHASES) {
          const p = engine.provider.phases[phase];
          const f = engine.floors[options.floors[0]]?.phases[phase];
          if (p) {
            say(
              `  ${PHASE_LABEL[phase]}: provider ${seconds(p.wallMs)} s (${p.requests} requests), floor ${f ? `${seconds(f.wallMs)} s` : "-"}`,
            );
          }
        }
      }
      if (options.curl && !options.floorsOnly) {
        await control.reset();
        say(`N=${n}: curl sequence...`);
        result.curlSequence = await runCurlSequence(n, emulator.url, control);
        save();
      }
    }
    if (options.lookups) {
      await control.reset();
      say("lookups: the demo program...");
      saved.lookups = await runLookups(emulator.url, control);
    }
    if (options.oldestSdk) {
      save();
      saved.oldestSdk = runOldestSdk(argv, say);
    }
  } catch (error) {
    // What was measured so far is still written; the run then fails.
    failure = error;
  } finally {
    await emulator.close();
    clearCpu();
  }
  process.stdout.write(save());
  if (failure) throw failure;
}

if (require.main === module) {
  main().catch((error: unknown) => {
    process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exit(1);
  });
}
