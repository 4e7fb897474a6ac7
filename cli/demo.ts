import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import type { automation } from "@pulumi/pulumi";
import { controlRequest, DEMO_CREDENTIALS, startEmulator } from "../emulator";
import { packageRoot } from "./pulumiCli";
import { createLocalStack } from "./stack";
import { formatTable, mask } from "./table";

// The default seed's full-scope connected app and Sandbox environment (ARCHITECTURE.md).
const DEMO_CLIENT_ID = DEMO_CREDENTIALS.clientId;
const DEMO_CLIENT_SECRET = DEMO_CREDENTIALS.clientSecret;
const SANDBOX = "5e1f7c2a-8b3d-4e6f-9a0b-1c2d3e4f5a61";
const STACK = "demo";

interface Step {
  (title: string): void;
}

/**
 * The guided demo: the emulator with its default seed, `pulumi up` of the root project, a table
 * of what exists, a change made out of band, `pulumi refresh` showing the drift, `pulumi up`
 * putting it back, `pulumi destroy`. Offline, leaves no process behind, re-runnable.
 */
export async function runDemo(out: NodeJS.WritableStream = process.stdout): Promise<void> {
  const print = (line = "") => out.write(`${line}\n`);
  let stepNumber = 0;
  const step: Step = (title) => print(`\n== ${++stepNumber}. ${title}`);
  const root = packageRoot();
  if (!fs.existsSync(path.join(root, "demo", "index.ts"))) {
    throw new Error(
      "the demo runs from a checkout of pulumi-anypoint (./dev.sh demo); the published package does not include it",
    );
  }
  const stateDir = fs.mkdtempSync(path.join(os.tmpdir(), "pulumi-anypoint-demo-"));

  step("Starting the Anypoint emulator (default seed: Acme Corp, Sandbox and Production, 7 API instances)");
  const emulator = await startEmulator({ port: 0 });
  print(`   listening on ${emulator.url}`);
  const control = (method: string, route: string, body?: unknown): Promise<unknown> =>
    controlRequest(emulator.url, method, route, body);

  const local = await createLocalStack({
    projectName: "anypoint-access",
    stackName: STACK,
    workDir: root,
    stateDir,
    config: {
      "anypoint:baseUrl": { value: emulator.url },
      "anypoint:clientId": { value: DEMO_CLIENT_ID },
      "anypoint:clientSecret": { value: DEMO_CLIENT_SECRET, secret: true },
      "anypoint-access:environmentId": { value: SANDBOX },
    },
  });
  const stack = local.stack;
  // The engine reports in chunks, not lines: indent whole lines, and skip its progress dots.
  let pending = "";
  const engineLine = (chunk: string) => {
    const lines = (pending + chunk).split("\n");
    pending = lines.pop() ?? "";
    for (const line of lines) {
      const trimmed = line.replace(/\s+$/, "");
      if (trimmed && !/^@ (updating|previewing)\.*$/.test(trimmed)) print(`   | ${trimmed}`);
    }
  };

  try {
    step(
      "pulumi up: declare the mobile-banking application and its access to payments-api and orders-api (Gold)",
    );
    const up = await stack.up({ onOutput: engineLine, color: "never" });
    print(`   => ${describeChanges(up.summary.resourceChanges)}`);

    step("What now exists in Anypoint");
    await printInventory(stack, control, print);

    step("A person changes things in the UI: edits the description and revokes the payments contract");
    const outputs = await stack.outputs();
    await control("PATCH", `/applications/${outputs.applicationId.value}`, {
      description: "temporary description from the UI",
    });
    await control("PATCH", `/contracts/${outputs.contracts.value.payments.contractId}`, {
      status: "REVOKED",
    });
    print("   description -> 'temporary description from the UI'; payments-api contract -> REVOKED");

    step("pulumi refresh: the scheduled drift check finds both changes");
    const drifted: string[] = [];
    const refresh = await stack.refresh({
      color: "never",
      onEvent: (event) => {
        const meta = event.resOutputsEvent?.metadata;
        if (meta && meta.op === "update") drifted.push(meta.urn.split("::").pop()!);
      },
    });
    print(`   => ${describeChanges(refresh.summary.resourceChanges)}`);
    for (const name of drifted.sort()) print(`   drift: ${name}`);

    step("pulumi up: put the declared state back");
    const fix = await stack.up({ onOutput: engineLine, color: "never" });
    print(`   => ${describeChanges(fix.summary.resourceChanges)}`);
    await printInventory(stack, control, print);

    step("pulumi destroy: revoke and delete the contracts, delete the application");
    const destroy = await stack.destroy({ color: "never" });
    print(`   => ${describeChanges(destroy.summary.resourceChanges)}`);
  } finally {
    await stack.workspace.removeStack(STACK).catch(() => undefined);
    fs.rmSync(path.join(root, `Pulumi.${STACK}.yaml`), { force: true });
    fs.rmSync(stateDir, { recursive: true, force: true });
    await emulator.close();
  }

  print("\n== Next: the same program against your organization");
  print("   pulumi stack init prod");
  print("   pulumi config set anypoint:clientId <connected app client id>");
  print(
    "   pulumi config set --secret anypoint:clientSecret      # prompts: the secret stays out of shell history",
  );
  print("   pulumi config set anypoint-access:environmentId <your Sandbox environment id>");
  print("   pulumi preview   # check the scopes first with: npx pulumi-anypoint doctor");
}

async function printInventory(
  stack: automation.Stack,
  control: (method: string, route: string) => Promise<unknown>,
  print: (line?: string) => void,
): Promise<void> {
  const outputs = await stack.outputs();
  const state = (await control("GET", "/state")) as {
    applications: { id: number; name: string; description?: string | null; clientId: string }[];
    contracts: { id: number; status: string; tierId?: number | null }[];
  };
  const app = state.applications.find((candidate) => candidate.id === outputs.applicationId.value);
  const rows = Object.values(
    outputs.contracts.value as Record<
      string,
      { contractId: number; status: string; assetId: string; tierId?: number }
    >,
  ).map((contract) => {
    const live = state.contracts.find((candidate) => candidate.id === contract.contractId);
    return [
      app?.name ?? "?",
      mask(app?.clientId ?? ""),
      contract.assetId,
      "Sandbox",
      contract.tierId ? String(contract.tierId) : "-",
      live?.status ?? "missing",
    ];
  });
  print(formatTable(["application", "client id", "API", "environment", "tier", "contract"], rows, "   "));
  print(
    `   description: "${app?.description ?? ""}"; client secret: ${"*".repeat(8)} (a Pulumi secret, masked)`,
  );
}

function describeChanges(changes: automation.OpMap | undefined): string {
  const parts = Object.entries(changes ?? {})
    .filter(([op]) => op !== "same")
    .map(([op, count]) => `${count} ${op}`);
  const same = changes?.same ? `${changes.same} unchanged` : "";
  return [...parts, same].filter(Boolean).join(", ") || "no changes";
}
