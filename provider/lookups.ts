import * as pulumi from "@pulumi/pulumi";
import { AnypointClient, type ApiInstance, type Tier } from "../client";
import { optionsFromConfig } from "./config";
import { SharedLookups } from "./impl/sharedLookups";

export interface GetApiInstanceArgs {
  environmentId: string;
  assetId: string;
  groupId?: string;
  productVersion?: string;
  instanceLabel?: string;
  /** Organization or business group owning the environment; defaults to the root organization. */
  organizationId?: string;
}

export interface GetTierArgs {
  environmentId: string;
  apiInstanceId: number;
  name: string;
  organizationId?: string;
}

/*
 * Lookups run in the program process. `pulumi up` from the CLI runs the program twice, in two
 * processes (the preview, then the update, also with --yes; once only with --skip-preview),
 * and the Automation API's `up()` passes --skip-preview, so it runs the program once. Within a
 * process every lookup shares one client (one token, one root-organization lookup) and each
 * distinct request is sent once: the instance list per (organization, environment, asset, group)
 * and the tier list per (organization, environment, instance), however many resources, calls or
 * tier names use them. A failed request is forgotten, so a later call asks again. Nothing is
 * shared between processes: a preview and its update each ask Anypoint afresh (a cache on disk
 * would outlive the answers it holds).
 */
let programClient: AnypointClient | undefined;
const instanceLists = new SharedLookups<string, ApiInstance[]>(Number.POSITIVE_INFINITY);
const tierLists = new SharedLookups<string, Tier[]>(Number.POSITIVE_INFINITY);

/** The client for lookups made by the program itself, configured like the provider. */
function lookupClient(): AnypointClient {
  // pulumi.runtime.getConfig reads secrets without the plain-text warning; the values stay in this process.
  programClient ??= AnypointClient.fromOptions(
    optionsFromConfig({ get: (key) => pulumi.runtime.getConfig(key) }),
    process.env,
  );
  return programClient;
}

/**
 * Finds exactly one API instance in an environment by its asset (and optionally group, version
 * group and label). Fails, listing the candidates, when none or several match.
 */
export async function getApiInstance(args: GetApiInstanceArgs): Promise<ApiInstance> {
  const client = lookupClient();
  const organizationId = args.organizationId ?? (await client.rootOrganizationId());
  const listed = await instanceLists.get(
    JSON.stringify([organizationId, args.environmentId, args.assetId, args.groupId ?? null]),
    () =>
      client.listApiInstances(organizationId, args.environmentId, {
        assetId: args.assetId,
        groupId: args.groupId,
      }),
  );
  const candidates = listed.filter(
    (api) => api.assetId === args.assetId && (args.groupId === undefined || api.groupId === args.groupId),
  );
  const matches = candidates.filter(
    (api) =>
      (args.productVersion === undefined || api.productVersion === args.productVersion) &&
      (args.instanceLabel === undefined || api.instanceLabel === args.instanceLabel),
  );
  const describe = (apis: ApiInstance[]) =>
    apis
      .map(
        (api) =>
          `${api.id} (${api.productVersion}, asset ${api.assetVersion}${api.instanceLabel ? `, label "${api.instanceLabel}"` : ""})`,
      )
      .join("; ");
  if (matches.length === 1) return matches[0];
  const wanted = `asset "${args.assetId}"${args.productVersion ? ` ${args.productVersion}` : ""}${args.instanceLabel ? ` labelled "${args.instanceLabel}"` : ""} in environment ${args.environmentId}`;
  if (matches.length === 0) {
    throw new Error(
      candidates.length > 0
        ? `getApiInstance: no API instance of ${wanted}. Instances of that asset: ${describe(candidates)}.`
        : `getApiInstance: no API instance of ${wanted}. Check the asset id and environment, and that the credentials have View APIs Configuration (read:api_configuration) in that environment.`,
    );
  }
  throw new Error(
    `getApiInstance: ${matches.length} API instances of ${wanted}: ${describe(matches)}. Add productVersion or instanceLabel to choose one.`,
  );
}

/** Finds an API instance's SLA tier by name. Fails, listing the tiers, when none or several match. */
export async function getTier(args: GetTierArgs): Promise<Tier> {
  const client = lookupClient();
  const organizationId = args.organizationId ?? (await client.rootOrganizationId());
  const tiers = await tierLists.get(
    JSON.stringify([organizationId, args.environmentId, args.apiInstanceId]),
    () => client.listTiers(organizationId, args.environmentId, args.apiInstanceId),
  );
  const matches = tiers.filter((tier) => tier.name === args.name);
  if (matches.length === 1) return matches[0];
  const listing = tiers.map((tier) => `${tier.id} "${tier.name}" (${tier.status})`).join(", ") || "none";
  throw new Error(
    matches.length === 0
      ? `getTier: API instance ${args.apiInstanceId} has no tier named "${args.name}". Tiers: ${listing}.`
      : `getTier: API instance ${args.apiInstanceId} has ${matches.length} tiers named "${args.name}": ${listing}. Use the tier id.`,
  );
}
