import {
  type Context,
  fail,
  type Handler,
  intParam,
  paging,
  requireScope,
  type Route,
  route,
} from "../server";
import type { ApiInstance, Tier } from "../store";

const AM = "/apimanager/api/v1/organizations/:orgId/environments/:envId/apis";

function environment(ctx: Context): { id: string; name: string } {
  const env = ctx.store.seed.environments.find(
    (candidate) => candidate.id === ctx.params.envId && candidate.organizationId === ctx.params.orgId,
  );
  return env ?? fail(404, `environment ${ctx.params.envId} not found in organization ${ctx.params.orgId}`);
}

/** The fields an instance list item (apisSearch) and the single GET (getEnvironmentApi) share. */
function instanceFields(api: ApiInstance) {
  return {
    audit: { created: { date: "2026-01-15T10:00:00.000Z" }, updated: {} },
    masterOrganizationId: api.organizationId,
    organizationId: api.organizationId,
    instanceLabel: api.instanceLabel ?? null,
    autodiscoveryInstanceName: `v1:${api.id}`,
    assetVersion: api.assetVersion,
    productVersion: api.productVersion,
    description: null,
    tags: [],
    order: 1,
    deprecated: api.deprecated,
    lastActiveDate: null,
    endpointUri: null,
    environmentId: api.environmentId,
  };
}

/** An item of the instance list: its groupId and assetId are the asset's, around it. */
function listedInstance(ctx: Context, api: ApiInstance) {
  const active = ctx.store
    .contracts()
    .filter((contract) => contract.apiId === api.id && contract.status === "APPROVED").length;
  return { ...instanceFields(api), id: api.id, activeContractsCount: active };
}

/** The single GET: the spec names the instance id `apiId` and gives no groupId or assetId. */
function singleInstance(api: ApiInstance) {
  return { ...instanceFields(api), apiId: api.id };
}

/** The path's environment, once the caller holds `scope` there. */
function environmentWith(ctx: Context, scope: string): { id: string; name: string } {
  const env = environment(ctx);
  requireScope(ctx, [scope], { organizationId: ctx.params.orgId, environmentId: env.id });
  return env;
}

/** The API instance of the path, in the path's environment, or a 404. */
function pathInstance(ctx: Context, env: { id: string }): ApiInstance {
  const api = ctx.store.api(intParam(ctx, "apiId"));
  if (!api || api.environmentId !== env.id) return fail(404, `API ${ctx.params.apiId} not found`);
  return api;
}

/** The instances of the path's environment that pass the query's filters. */
function filteredInstances(ctx: Context, env: { id: string }): ApiInstance[] {
  const filter = (name: string) => ctx.query.get(name);
  const query = filter("query")?.toLowerCase();
  return ctx.store
    .apis()
    .filter(
      (api) =>
        api.environmentId === env.id &&
        api.organizationId === ctx.params.orgId &&
        (!filter("assetId") || api.assetId === filter("assetId")) &&
        (!filter("groupId") || api.groupId === filter("groupId")) &&
        (!filter("assetVersion") || api.assetVersion === filter("assetVersion")) &&
        (!filter("productVersion") || api.productVersion === filter("productVersion")) &&
        (!filter("instanceLabel") || api.instanceLabel === filter("instanceLabel")) &&
        (!query ||
          api.assetId.toLowerCase().includes(query) ||
          (api.instanceLabel ?? "").toLowerCase().includes(query)),
    );
}

/** An asset of the instance list, around its instances. */
function listedAsset(ctx: Context, apis: ApiInstance[]) {
  return {
    audit: { created: {}, updated: {} },
    masterOrganizationId: apis[0].organizationId,
    organizationId: apis[0].organizationId,
    id: apis[0].id * 10,
    name: `groupId:${apis[0].groupId}:assetId:${apis[0].assetId}`,
    groupId: apis[0].groupId,
    assetId: apis[0].assetId,
    totalApis: apis.length,
    apis: apis.map((api) => listedInstance(ctx, api)),
  };
}

/** A tier of the tier list, with how many contracts it holds. */
function listedTier(ctx: Context, api: ApiInstance, tier: Tier) {
  return {
    audit: { created: {}, updated: {} },
    masterOrganizationId: api.organizationId,
    organizationId: api.organizationId,
    id: tier.id,
    name: tier.name,
    description: tier.description ?? null,
    limits: tier.limits.map((limit) => ({ visible: true, ...limit })),
    status: tier.status,
    autoApprove: tier.autoApprove,
    applicationCount: ctx.store.contracts().filter((c) => c.apiId === api.id && c.tierId === tier.id).length,
    apiId: api.id,
  };
}

const listInstances: Handler = (ctx) => {
  const env = environmentWith(ctx, "read:api_configuration");
  const { offset, limit } = paging(ctx, 100, 250, 0);
  // API Manager pages over assets, not instances.
  const assets = new Map<string, ApiInstance[]>();
  for (const api of filteredInstances(ctx, env)) {
    const key = `${api.groupId}:${api.assetId}`;
    assets.set(key, [...(assets.get(key) ?? []), api]);
  }
  const page = [...assets.values()].slice(offset, offset + limit).map((apis) => listedAsset(ctx, apis));
  return { status: 200, body: { total: assets.size, assets: page } };
};

const getInstance: Handler = (ctx) => {
  const env = environmentWith(ctx, "read:api_configuration");
  return { status: 200, body: singleInstance(pathInstance(ctx, env)) };
};

const listTiers: Handler = (ctx) => {
  const env = environmentWith(ctx, "read:api_contracts");
  const api = pathInstance(ctx, env);
  const { offset, limit } = paging(ctx, 100, 250, 0);
  const activeOnly = ctx.query.get("active") === "true";
  const tiers = api.tiers
    .filter((tier) => !activeOnly || tier.status === "ACTIVE")
    .map((tier) => listedTier(ctx, api, tier));
  return { status: 200, body: { total: tiers.length, tiers: tiers.slice(offset, offset + limit) } };
};

const listVersionGroupInstances: Handler = (ctx) => {
  requireScope(ctx, ["read:exchange"], { organizationId: ctx.params.groupId });
  const apis = ctx.store
    .apis()
    .filter(
      (api) =>
        api.groupId === ctx.params.groupId &&
        api.assetId === ctx.params.assetId &&
        api.productVersion === ctx.params.versionGroup,
    );
  return {
    status: 200,
    body: apis.map((api) => ({
      id: api.id,
      groupId: api.groupId,
      assetId: api.assetId,
      productApiVersion: api.productVersion,
      environmentId: api.environmentId,
      endpointUri: null,
      name: api.instanceLabel ?? `v${api.id}`,
      isPublic: false,
      type: "managed",
      deprecated: api.deprecated,
    })),
  };
};

export const apiRoutes: Route[] = [
  route("manager", "GET", AM, listInstances),
  route("manager", "GET", `${AM}/:apiId`, getInstance),
  route("manager", "GET", `${AM}/:apiId/tiers`, listTiers),
  route(
    "exchange",
    "GET",
    "/exchange/api/v2/assets/:groupId/:assetId/versionGroups/:versionGroup/instances",
    listVersionGroupInstances,
  ),
  // Retired: listing API instances moved to API Manager.
  route(
    "exchange",
    "GET",
    "/exchange/api/v1/organizations/:orgId/environments/:envId/apis",
    () => fail(404, "Not Found"),
    { auth: false },
  ),
];
