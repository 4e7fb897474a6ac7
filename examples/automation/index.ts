/**
 * Reconciles Anypoint API access from your own service with the Pulumi Automation API: no
 * Pulumi.yaml, no CLI session. Run it from a job runner, an internal portal's backend, or cron.
 *
 *   npx ts-node index.ts             refresh, then up: make Anypoint match DESIRED below
 *   npx ts-node index.ts --preview   show what an up would change
 *   npx ts-node index.ts --destroy   remove everything this stack created
 *
 * Exit code 0 on success, 1 on failure (with the reason on stderr).
 */
import { LocalWorkspace, type OutputMap, type PulumiFn } from "@pulumi/pulumi/automation";
import { ApiContract, ClientApplication, getApiInstance, getTier } from "pulumi-anypoint";

interface DesiredAccess {
  assetId: string;
  versionGroup: string;
  tier?: string;
}

interface DesiredConsumer {
  name: string;
  description: string;
  access: DesiredAccess[];
}

// What should exist. In a real service this comes from your database or request.
const DESIRED: DesiredConsumer[] = [
  {
    name: "billing-batch",
    description: "Nightly billing batch",
    access: [
      { assetId: "payments-api", versionGroup: "v2" },
      { assetId: "customers-api", versionGroup: "v1", tier: "Free" },
    ],
  },
];

function required(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`set ${name}`);
  return value;
}

/** The Pulumi program, inline: one application per consumer, one contract per API. */
function program(environmentId: string, consumers: DesiredConsumer[]): PulumiFn {
  return async () => {
    const applications: Record<string, unknown> = {};
    for (const consumer of consumers) {
      const app = new ClientApplication(consumer.name, {
        name: consumer.name,
        description: consumer.description,
        grantTypes: ["client_credentials"],
      });
      const contracts: Record<string, unknown> = {};
      for (const access of consumer.access) {
        const api = await getApiInstance({
          environmentId,
          assetId: access.assetId,
          productVersion: access.versionGroup,
        });
        const tier = access.tier
          ? await getTier({ environmentId, apiInstanceId: api.id, name: access.tier })
          : undefined;
        const contract = new ApiContract(
          `${consumer.name}-${access.assetId}-${access.versionGroup}`,
          { applicationId: app.applicationId, environmentId, apiInstanceId: api.id, tierId: tier?.id },
          { parent: app },
        );
        contracts[access.assetId] = { status: contract.status, tierId: contract.tierId };
      }
      // The client secret is not exported: the service reads it from the state when it hands it over.
      applications[consumer.name] = { applicationId: app.applicationId, clientId: app.clientId, contracts };
    }
    return { applications };
  };
}

async function main(): Promise<number> {
  const mode = process.argv.includes("--destroy")
    ? "destroy"
    : process.argv.includes("--preview")
      ? "preview"
      : "up";
  // Anypoint credentials (ANYPOINT_CLIENT_ID, ANYPOINT_CLIENT_SECRET, ANYPOINT_BASE_URL) stay in
  // the environment: the program and the provider read them there, so they are never in state.
  required("ANYPOINT_CLIENT_ID");
  required("ANYPOINT_CLIENT_SECRET");
  const environmentId = required("ANYPOINT_ENVIRONMENT_ID");
  const projectName = process.env.PULUMI_PROJECT ?? "anypoint-automation";
  const stackName = process.env.PULUMI_STACK ?? "dev";

  const stack = await LocalWorkspace.createOrSelectStack(
    { projectName, stackName, program: program(environmentId, DESIRED) },
    {
      projectSettings: {
        name: projectName,
        runtime: "nodejs",
        // The provider process resolves pulumi-anypoint from this folder's node_modules.
        main: __dirname,
        // PULUMI_BACKEND_URL (e.g. s3://bucket, file://~/.pulumi-state); unset: Pulumi Cloud.
        ...(process.env.PULUMI_BACKEND_URL ? { backend: { url: process.env.PULUMI_BACKEND_URL } } : {}),
      },
    },
  );
  const onOutput = (line: string) => process.stdout.write(line);

  if (mode === "destroy") {
    const result = await stack.destroy({ onOutput });
    console.log(
      `\nsummary: destroy ${result.summary.result} ${JSON.stringify(result.summary.resourceChanges ?? {})}`,
    );
    return result.summary.result === "succeeded" ? 0 : 1;
  }
  // Read what is live first, so changes made in the UI are corrected by the update.
  await stack.refresh({ onOutput });
  if (mode === "preview") {
    const preview = await stack.preview({ onOutput });
    console.log(`\nsummary: preview ${JSON.stringify(preview.changeSummary)}`);
    return 0;
  }
  const result = await stack.up({ onOutput });
  console.log(
    `\nsummary: up ${result.summary.result} ${JSON.stringify(result.summary.resourceChanges ?? {})}`,
  );
  console.log(`outputs: ${JSON.stringify(plain(result.outputs))}`);
  return result.summary.result === "succeeded" ? 0 : 1;
}

/** Stack outputs without secret values. */
function plain(outputs: OutputMap): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(outputs).map(([key, output]) => [key, output.secret ? "[secret]" : output.value]),
  );
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    // Automation API errors carry the engine's output; the message is enough and has no secrets.
    console.error(`anypoint-automation: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  },
);
