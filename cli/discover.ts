import * as fs from "node:fs";
import {
  type AdminApplication,
  AnypointClient,
  AnypointError,
  type ApiInstance,
  type Application,
  isAnypointError,
  type ManagedContract,
} from "../client";
import { messageOf } from "../client/errors";
import { type CommandIo, parseArgs, processIo, single, UsageError } from "./args";
import { CONNECTION_OPTIONS, resolveCliConfig } from "./cliConfig";

const USAGE = `usage: pulumi-anypoint discover [--name PATTERN] [--environment ID ...] [--out FILE] [--module]
                                [--stack NAME] [--base-url URL] [--client-id ID] [--organization-id ID]

Writes a TypeScript Pulumi program that declares every existing client application and its
contracts with adopt: true, so that \`pulumi up\` takes them over instead of creating them.
  --name PATTERN     only applications whose whole name matches: a glob (* and ?, case-sensitive),
                     or a regular expression written /.../ (flags allowed, e.g. /^team-a-/i)
  --environment ID   only contracts in these environments (repeatable; default: every environment
                     of the root organization). Applications are not per environment.
  --out FILE         write there instead of standard output
  --module           write a module exporting adoptAnypointResources(opts) instead of a program
No secret is ever written. Credentials as for doctor (stack config, else ANYPOINT_* variables).
`;

export interface DiscoveredContract {
  contract: ManagedContract;
  instance: ApiInstance;
  environment: { id: string; name: string };
}

export interface DiscoveredApplication {
  app: AdminApplication | Application;
  /** False when these credentials cannot manage it (created by another identity, no per-application scope). */
  manageable: boolean;
  owner?: string;
  contracts: DiscoveredContract[];
}

export interface Discovery {
  baseUrl: string;
  organization: { id: string; name?: string };
  environments: { id: string; name: string }[];
  applications: DiscoveredApplication[];
}

export async function runDiscoverCommand(argv: string[], io: CommandIo = processIo()): Promise<number> {
  let args;
  try {
    args = parseArgs(argv, {
      flags: ["--module", "--help", "-h"],
      options: ["--name", "--environment", "--out", ...CONNECTION_OPTIONS],
    });
    if (args.flags.has("--help") || args.flags.has("-h")) {
      io.stdout(USAGE);
      return 0;
    }
  } catch (error) {
    if (error instanceof UsageError) {
      io.stderr(`pulumi-anypoint discover: ${error.message}\n\n${USAGE}`);
      return 2;
    }
    throw error;
  }
  let matcher: (name: string) => boolean;
  try {
    matcher = nameMatcher(single(args, "--name"));
  } catch (error) {
    io.stderr(`pulumi-anypoint discover: ${messageOf(error)}\n`);
    return 2;
  }
  const { config } = await resolveCliConfig(args, io);
  const client = new AnypointClient(config);
  try {
    const discovery = await discover(client, matcher, args.values.get("--environment") ?? []);
    const code = generateProgram(discovery, { module: args.flags.has("--module") });
    const out = single(args, "--out");
    if (out) fs.writeFileSync(out, code);
    else io.stdout(code);
    const adopted = discovery.applications.filter((entry) => entry.manageable);
    const blocked = discovery.applications.length - adopted.length;
    io.stderr(
      `discover: ${adopted.length} application(s) and ${adopted.reduce((sum, entry) => sum + entry.contracts.filter(declarable).length, 0)} contract(s) declared with adopt: true` +
        `${blocked > 0 ? `; ${blocked} application(s) these credentials cannot manage are written commented out` : ""}` +
        `${out ? ` -> ${out}` : ""}\n`,
    );
    return 0;
  } catch (error) {
    io.stderr(`pulumi-anypoint discover: ${client.redact(messageOf(error))}\n`);
    return 1;
  }
}

/** `*` and `?` globs over the whole name, or `/regex/flags`. No pattern matches everything. */
export function nameMatcher(pattern: string | undefined): (name: string) => boolean {
  if (pattern === undefined) return () => true;
  const regex = /^\/(.*)\/([a-z]*)$/s.exec(pattern);
  if (regex) {
    let compiled: RegExp;
    try {
      compiled = new RegExp(regex[1], regex[2]);
    } catch (error) {
      throw new Error(`--name ${pattern} is not a valid regular expression: ${(error as Error).message}`);
    }
    return (name) => compiled.test(name);
  }
  const glob = new RegExp(
    `^${pattern
      .replace(/[.+^${}()|[\]\\]/g, "\\$&")
      .replace(/\*/g, ".*")
      .replace(/\?/g, ".")}$`,
    "s",
  );
  return (name) => glob.test(name);
}

/** Reads every application (all pages) and every contract of the chosen environments. Reads only. */
export async function discover(
  client: AnypointClient,
  matches: (name: string) => boolean,
  environmentIds: string[],
): Promise<Discovery> {
  const orgId = await client.rootOrganizationId();
  const me = await client.me().catch(() => undefined);
  const [everyone, own] = await Promise.all([
    client.listAllApplications(orgId),
    client.listOwnApplications(orgId),
  ]);
  const listed = new Set(everyone.applications.map((app) => app.id));
  const unlisted = own.filter((app) => !listed.has(app.id));
  if (unlisted.length > 0) {
    // The empty-200 trap (KB 005385409): never write a program from a list known to be incomplete.
    throw new AnypointError({
      code: "empty_list",
      method: "GET",
      path: `/apiplatform/repository/v2/organizations/${orgId}/applications`,
      status: 200,
      message: `the admin list of applications lacks ${unlisted.length} application(s) these credentials created (e.g. ${unlisted[0].name})`,
      hint:
        "Anypoint answers an empty 200 when the credentials lack a read scope (KB 005385409). Add View Client Applications " +
        `(read:client_applications) on the root organization ${orgId}, then run discover again (pulumi-anypoint doctor checks it)`,
    });
  }

  let environments: { id: string; name: string }[];
  if (environmentIds.length > 0) {
    const known = await client.listEnvironments(orgId).catch(() => []);
    environments = environmentIds.map((id) => ({ id, name: known.find((env) => env.id === id)?.name ?? id }));
  } else {
    environments = (await client.listEnvironments(orgId)).map((env) => ({ id: env.id, name: env.name }));
  }

  const contractsByApp = new Map<number, DiscoveredContract[]>();
  for (const environment of environments) {
    const instances = await client.listApiInstances(orgId, environment.id);
    const lists = await Promise.all(
      instances.map(async (instance) => ({
        instance,
        contracts: await client.listApiContracts(instance.organizationId, environment.id, instance.id),
      })),
    );
    for (const { instance, contracts } of lists) {
      for (const contract of contracts) {
        const entry = { contract, instance, environment };
        contractsByApp.set(contract.applicationId, [
          ...(contractsByApp.get(contract.applicationId) ?? []),
          entry,
        ]);
      }
    }
  }

  const ownIds = new Set(own.map((app) => app.id));
  const chosen = everyone.applications.filter((app) => matches(app.name));
  const applications = await Promise.all(
    chosen.map(async (app): Promise<DiscoveredApplication> => {
      const contracts = (contractsByApp.get(app.id) ?? []).sort((a, b) => a.instance.id - b.instance.id);
      if (ownIds.has(app.id)) return { app, manageable: true, owner: app.owner ?? undefined, contracts };
      // Created by another identity: manageable only with the per-application scope (or as an admin user).
      try {
        const full = await client.getApplication(orgId, app.id);
        return { app, manageable: Boolean(full.clientSecret), owner: app.owner ?? undefined, contracts };
      } catch (error) {
        if (isAnypointError(error, "forbidden"))
          return { app, manageable: false, owner: app.owner ?? undefined, contracts };
        throw error;
      }
    }),
  );
  applications.sort((a, b) => a.app.name.localeCompare(b.app.name));
  return {
    baseUrl: client.baseUrl,
    organization: { id: orgId, name: me?.user?.organization?.name },
    environments,
    applications,
  };
}

/** APPROVED and PENDING contracts are adopted; a REVOKED one would be restored and a REJECTED one replaced by `up`. */
function declarable(entry: DiscoveredContract): boolean {
  return entry.contract.status === "APPROVED" || entry.contract.status === "PENDING";
}

const RESERVED = new Set(
  (
    "break case catch class const continue debugger default delete do else enum export extends false finally for function if " +
    "import in instanceof new null return super switch this throw true try typeof var void while with as implements interface " +
    "let package private protected public static yield any boolean number string symbol type from of await async opts"
  ).split(" "),
);

/** Unique, valid TypeScript identifiers derived from names. */
class Identifiers {
  private readonly used = new Set<string>(["applications", "contracts", "adoptAnypointResources"]);

  take(name: string, fallback: string): string {
    const words = name.split(/[^A-Za-z0-9]+/).filter(Boolean);
    let base = words
      .map((word, index) =>
        index === 0
          ? word.charAt(0).toLowerCase() + word.slice(1)
          : word.charAt(0).toUpperCase() + word.slice(1),
      )
      .join("");
    if (!base || /^[0-9]/.test(base)) base = `${fallback}${base.charAt(0).toUpperCase()}${base.slice(1)}`;
    if (RESERVED.has(base)) base = `${fallback}${base.charAt(0).toUpperCase()}${base.slice(1)}`;
    let candidate = base;
    for (let n = 2; this.used.has(candidate); n++) candidate = `${base}${n}`;
    this.used.add(candidate);
    return candidate;
  }
}

/** A `//` comment line: no line breaks can escape it. */
function comment(text: string): string {
  return `// ${text.replace(/[\r\n\u2028\u2029]+/g, " ")}`;
}

const str = (value: string) => JSON.stringify(value);

/**
 * The TypeScript source declaring the discovered objects with `adopt: true`. Only names, ids and
 * settings are written: client ids are left out too, and client secrets are never read into it.
 */
export function generateProgram(discovery: Discovery, options: { module?: boolean } = {}): string {
  const ids = new Identifiers();
  const envVars = new Map<string, string>();
  const lines: string[] = [];
  const head = [
    comment(
      `Generated by \`pulumi-anypoint discover\` from ${discovery.baseUrl}, organization ${discovery.organization.name ?? ""} ${discovery.organization.id}.`,
    ),
    comment(
      "adopt: true takes each existing object over as it is: `pulumi up` creates nothing. Where this program",
    ),
    comment(
      "differs from Anypoint, the next `pulumi preview` shows the update. To stop managing an object without",
    ),
    comment(
      "deleting it: `pulumi state delete <urn>`, or set retainOnDelete: true and remove it from the program.",
    ),
    comment(
      "No secret is written here: the client secrets become stack outputs of the ClientApplication resources.",
    ),
    ...(options.module ? ['import type * as pulumi from "@pulumi/pulumi";'] : []),
    'import { ApiContract, ClientApplication } from "pulumi-anypoint";',
    "",
  ];
  const usedEnvironments = new Set(
    discovery.applications.flatMap((entry) => entry.contracts.map((contract) => contract.environment.id)),
  );
  for (const env of discovery.environments) {
    if (!usedEnvironments.has(env.id)) continue;
    const name = ids.take(`${env.name} environment id`, "env");
    envVars.set(env.id, name);
    head.push(`const ${name} = ${str(env.id)};`);
  }
  if (envVars.size > 0) head.push("");

  const opts = options.module ? ", opts" : "";
  const indent = options.module ? "  " : "";
  const applicationKeys: [string, string][] = [];
  const contractVars: string[] = [];
  for (const entry of discovery.applications) {
    const app = entry.app;
    const variable = ids.take(app.name, "app");
    const block: string[] = [];
    if (!entry.manageable) {
      block.push(
        comment(
          `NOT ADOPTED: these credentials cannot manage "${app.name}" (id ${app.id}${entry.owner ? `, created by ${entry.owner}` : ""}).`,
        ),
        comment(
          "Add the per-application scope manage:client_application for it to the connected app (KB 001116119), then uncomment.",
        ),
      );
    }
    const appLines = [
      `const ${variable} = new ClientApplication(${str(app.name)}, {`,
      `  name: ${str(app.name)},`,
      ...(app.description ? [`  description: ${str(app.description)},`] : []),
      ...(app.url ? [`  url: ${str(app.url)},`] : []),
      ...((app.redirectUri ?? []).length > 0 ? [`  redirectUris: ${JSON.stringify(app.redirectUri)},`] : []),
      ...((app.grantTypes ?? []).length > 0 ? [`  grantTypes: ${JSON.stringify(app.grantTypes)},`] : []),
      "  adopt: true,",
      `}${opts});`,
    ];
    block.push(comment(`application ${app.id}`), ...appLines);
    for (const found of entry.contracts) {
      const { contract, instance, environment } = found;
      // A tier awaiting approval is the one the program asks for; declaring it keeps the preview quiet.
      const requested = contract.requestedTierId ?? contract.requestedTier?.id ?? undefined;
      const tierId = requested ?? contract.tierId ?? contract.tier?.id ?? undefined;
      const tierName = requested !== undefined ? contract.requestedTier?.name : contract.tier?.name;
      const contractVar = ids.take(`${app.name} ${instance.assetId} ${instance.id}`, "contract");
      const skip = !declarable(found);
      block.push(
        comment(
          `${instance.assetId} ${instance.productVersion} (asset ${instance.groupId}/${instance.assetId} ${instance.assetVersion})` +
            `${instance.instanceLabel ? `, instance "${instance.instanceLabel}"` : ""}, ${environment.name}; contract ${contract.id}, ${contract.status}` +
            `${instance.deprecated ? "; the instance is deprecated" : ""}`,
        ),
      );
      if (skip) {
        block.push(
          comment(
            contract.status === "REVOKED"
              ? "Left out: adopting a REVOKED contract makes `pulumi up` restore it. Uncomment to manage (and restore) it."
              : `Left out: a ${contract.status} contract cannot be adopted as it is (\`pulumi up\` would request access again). Uncomment to do that.`,
          ),
        );
      }
      const contractLines = [
        `${entry.manageable && !skip ? `const ${contractVar} = ` : ""}new ApiContract(${str(`${app.name}/${instance.id}`)}, {`,
        `  applicationId: ${variable}.applicationId,`,
        `  environmentId: ${envVars.get(environment.id) ?? str(environment.id)},`,
        `  apiInstanceId: ${instance.id},`,
        ...(tierId !== undefined
          ? [
              `  tierId: ${tierId},${tierName ? ` ${comment(tierName + (contract.status === "PENDING" ? ", awaiting approval" : ""))}` : ""}`,
            ]
          : []),
        ...(instance.organizationId !== discovery.organization.id
          ? [`  organizationId: ${str(instance.organizationId)},`]
          : []),
        "  adopt: true,",
        `}${opts});`,
      ];
      if (skip && entry.manageable) block.push(...contractLines.map((line) => `// ${line}`));
      else block.push(...contractLines);
      if (entry.manageable && !skip) contractVars.push(contractVar);
    }
    block.push("");
    if (entry.manageable) {
      applicationKeys.push([app.name, variable]);
      lines.push(...block);
    } else {
      lines.push(...block.map((line) => (line === "" || line.startsWith("// ") ? line : `// ${line}`)));
    }
  }

  if (!options.module) return [...head, ...lines].join("\n").replace(/\n+$/, "\n");
  return [
    ...head,
    "/** Declares the adopted applications and contracts; pass resource options (e.g. a provider or retainOnDelete) in opts. */",
    "export function adoptAnypointResources(opts: pulumi.CustomResourceOptions = {}) {",
    ...lines.map((line) => (line ? indent + line : line)),
    "  return {",
    "    applications: {",
    ...applicationKeys.map(([name, variable]) => `      ${str(name)}: ${variable},`),
    "    },",
    `    contracts: [${contractVars.join(", ")}],`,
    "  };",
    "}",
    "",
  ].join("\n");
}
