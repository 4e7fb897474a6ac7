/**
 * The provider benchmark: the real Pulumi engine driving N client applications and 2N contracts
 * against the emulator with a fixed latency per request, next to two references measured on the
 * same emulator in the same run:
 *
 * - lowerBound: a script that sends exactly the necessary calls with the project's client, at
 *   the same concurrency as the provider (the client's limit, 8 by default);
 * - curlSequence: what the support articles describe, one consumer after another, a fresh token
 *   per consumer, one request at a time.
 *
 * Prints a markdown table and writes bench/results/latest.json and latest.md.
 *
 *   npm run bench -- [--n 10,100,300] [--latency 50] [--concurrency 8] [--parallel P] [--skip-checkpoints] [--out DIR]
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { AnypointClient } from "../client";
import { createLocalStack, type LocalStack } from "../cli/stack";
import { packageRoot } from "../cli/pulumiCli";
import { controlClient, startEmulator, type ControlClient, type RequestLogEntry } from "../emulator";

const ROOT_ORG = "7f3c2a91-4d8e-4b6a-9c1f-2e5d8a7b3c10";
const SANDBOX = "5e1f7c2a-8b3d-4e6f-9a0b-1c2d3e4f5a61";
const CREDENTIALS = {
  clientId: "0c4e1f9a7b2d4c6e8f1a3b5c7d9e0f21",
  clientSecret: "A1b2C3d4E5f6A7b8C9d0E1f2A3b4C5d6",
};
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
type Runner = "provider" | "lowerBound" | "curlSequence";

interface Figures {
  wallMs: number;
  requests: number;
  tokenRequests: number;
  peakConcurrency: number;
  byEndpoint: Record<string, number>;
  /** What the engine reported (provider only). */
  changes?: Record<string, number>;
}

interface Options {
  sizes: number[];
  latencyMs: number;
  concurrency: number;
  parallel?: number;
  /** PULUMI_SKIP_CHECKPOINTS: the state is saved once per operation instead of after every step. */
  skipCheckpoints: boolean;
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
  return {
    sizes,
    latencyMs: positive(value("--latency"), 50, "--latency"),
    concurrency: positive(value("--concurrency"), 8, "--concurrency"),
    parallel: value("--parallel") === undefined ? undefined : positive(value("--parallel"), 0, "--parallel"),
    skipCheckpoints: argv.includes("--skip-checkpoints"),
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

async function measure(
  control: ControlClient,
  run: () => Promise<Record<string, number> | void>,
): Promise<Figures> {
  await control.clearRequests();
  const started = Date.now();
  const changes = await run();
  const wallMs = Date.now() - started;
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
    ...(changes ? { changes } : {}),
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

async function runProvider(n: number, url: string, control: ControlClient, options: Options) {
  const workDir = path.join(packageRoot(), "test", "fixtures", "declared");
  const stackName = `bench-n${n}-${process.pid}`;
  // Compact on purpose: the engine hands all config to the program in one environment variable,
  // which Linux caps at 128 KiB (N=300 with verbose keys fails with "argument list too long").
  const spec = {
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
  let local: LocalStack | undefined;
  const figures: Partial<Record<Phase, Figures>> = {};
  try {
    local = await createLocalStack({
      projectName: "declared",
      stackName,
      workDir,
      env: options.skipCheckpoints ? { PULUMI_SKIP_CHECKPOINTS: "true" } : {},
      config: {
        "anypoint:baseUrl": { value: url },
        "anypoint:clientId": { value: CREDENTIALS.clientId },
        "anypoint:clientSecret": { value: CREDENTIALS.clientSecret, secret: true },
        "declared:spec": { value: JSON.stringify(spec) },
      },
    });
    const stack = local.stack;
    const parallel = options.parallel ? { parallel: options.parallel } : {};
    const changes = (summary: { resourceChanges?: Record<string, number> }) => summary.resourceChanges ?? {};
    figures.up = await measure(control, async () => changes((await stack.up(parallel)).summary));
    figures.noop = await measure(control, async () => changes((await stack.up(parallel)).summary));
    figures.refresh = await measure(control, async () => changes((await stack.refresh(parallel)).summary));
    await applyDrift(control, n, await consumersFromState(control, n));
    figures.drift = await measure(control, async () =>
      changes((await stack.up({ ...parallel, refresh: true })).summary),
    );
    figures.destroy = await measure(control, async () => changes((await stack.destroy(parallel)).summary));
  } finally {
    if (local) {
      await local.stack.workspace.removeStack(stackName, { force: true }).catch(() => undefined);
      await local.dispose();
      fs.rmSync(path.join(workDir, `Pulumi.${stackName}.yaml`), { force: true });
    }
  }
  return figures;
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

// ---- report --------------------------------------------------------------------------------

interface SizeResult {
  n: number;
  phases: Record<Phase, Record<Runner, Figures>>;
}

const seconds = (ms: number) => (ms / 1000).toFixed(1);

function markdown(results: SizeResult[], options: Options, started: Date, totalMs: number): string {
  const lines = [
    `# Provider benchmark`,
    "",
    `${started.toISOString()}; emulator latency ${options.latencyMs} ms per request; N applications and 2N contracts; ` +
      `engine --parallel ${options.parallel ?? "default (8)"}` +
      `${options.skipCheckpoints ? ", PULUMI_SKIP_CHECKPOINTS=true" : ", a state checkpoint after every step"}; lower bound at concurrency ${options.concurrency}. ` +
      `Total run ${seconds(totalMs)} s. Command: \`npm run bench -- --n ${options.sizes.join(",")} --latency ${options.latencyMs}${options.skipCheckpoints ? " --skip-checkpoints" : ""}\`.`,
    "",
    "Each cell: wall seconds / HTTP requests / token requests / peak concurrent requests. " +
      "`x LB` is the provider's wall time over the lower bound's.",
    "",
    "The engine's own cost (start, program, diff of every resource, state writes) is in every provider figure: " +
      "the no-op up, which sends no request, measures most of it. `x LB net` subtracts the no-op up's wall time first.",
    "",
    "| N | phase | provider | lower bound | curl sequence | x LB | x LB net |",
    "| --: | --- | --- | --- | --- | --: | --: |",
  ];
  const cell = (f: Figures) =>
    `${seconds(f.wallMs)} s / ${f.requests} / ${f.tokenRequests} / ${f.peakConcurrency}`;
  for (const result of results) {
    for (const phase of PHASES) {
      const row = result.phases[phase];
      const lowerBound = row.lowerBound.wallMs;
      const engine = result.phases.noop.provider.wallMs;
      const ratio = lowerBound > 0 ? (row.provider.wallMs / lowerBound).toFixed(2) : "-";
      const net =
        lowerBound > 0 && phase !== "noop"
          ? (Math.max(0, row.provider.wallMs - engine) / lowerBound).toFixed(2)
          : "-";
      lines.push(
        `| ${result.n} | ${PHASE_LABEL[phase]} | ${cell(row.provider)} | ${cell(row.lowerBound)} | ${cell(row.curlSequence)} | ${ratio} | ${net} |`,
      );
    }
  }
  lines.push("", "## Requests by endpoint (provider / lower bound / curl sequence)", "");
  for (const result of results) {
    for (const phase of PHASES) {
      const row = result.phases[phase];
      const keys = [
        ...new Set([
          ...Object.keys(row.provider.byEndpoint),
          ...Object.keys(row.lowerBound.byEndpoint),
          ...Object.keys(row.curlSequence.byEndpoint),
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
          `| \`${key}\` | ${row.provider.byEndpoint[key] ?? 0} | ${row.lowerBound.byEndpoint[key] ?? 0} | ${row.curlSequence.byEndpoint[key] ?? 0} |`,
        );
      }
      lines.push("");
    }
  }
  return lines.join("\n") + "\n";
}

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  const fromJson = argv.indexOf("--from-json");
  if (fromJson >= 0) {
    // Re-renders the table of an earlier run.
    const saved = JSON.parse(fs.readFileSync(argv[fromJson + 1], "utf8")) as {
      started: string;
      totalMs: number;
      options: Options;
      results: SizeResult[];
    };
    process.stdout.write(markdown(saved.results, saved.options, new Date(saved.started), saved.totalMs));
    return;
  }
  const options = parseArgs(argv);
  const started = new Date();
  const emulator = await startEmulator({ port: 0, latencyMs: options.latencyMs });
  const control = controlClient(emulator.url);
  const results: SizeResult[] = [];
  let failure: unknown;
  try {
    for (const n of options.sizes) {
      const byRunner: Partial<Record<Runner, Partial<Record<Phase, Figures>>>> = {};
      await control.reset();
      process.stderr.write(`N=${n}: provider through the engine...\n`);
      byRunner.provider = await runProvider(n, emulator.url, control, options);
      await control.reset();
      process.stderr.write(`N=${n}: lower bound...\n`);
      byRunner.lowerBound = await runLowerBound(n, emulator.url, control, options);
      await control.reset();
      process.stderr.write(`N=${n}: curl sequence...\n`);
      byRunner.curlSequence = await runCurlSequence(n, emulator.url, control);
      const phases = Object.fromEntries(
        PHASES.map((phase) => [
          phase,
          Object.fromEntries(
            (Object.keys(byRunner) as Runner[]).map((runner) => [runner, byRunner[runner]![phase]!]),
          ),
        ]),
      ) as SizeResult["phases"];
      results.push({ n, phases });
      process.stderr.write(
        PHASES.map(
          (phase) =>
            `  ${PHASE_LABEL[phase]}: provider ${seconds(phases[phase].provider.wallMs)} s, ` +
            `${phases[phase].provider.requests} requests; lower bound ${seconds(phases[phase].lowerBound.wallMs)} s\n`,
        ).join(""),
      );
    }
  } catch (error) {
    // The sizes measured so far are still written; the run then fails.
    failure = error;
  } finally {
    await emulator.close();
  }
  const totalMs = Date.now() - started.getTime();
  fs.mkdirSync(options.outDir, { recursive: true });
  const table = markdown(results, options, started, totalMs);
  fs.writeFileSync(
    path.join(options.outDir, "latest.json"),
    JSON.stringify({ started: started.toISOString(), totalMs, options, results }, null, 2) + "\n",
  );
  fs.writeFileSync(path.join(options.outDir, "latest.md"), table);
  process.stdout.write(table);
  if (failure) throw failure;
}

if (require.main === module) {
  main().catch((error: unknown) => {
    process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exit(1);
  });
}
