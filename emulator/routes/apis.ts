import { type Context, fail, intParam, paging, requireScope, type Route } from "../server";
import type { ApiInstance } from "../store";

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

export const apiRoutes: Route[] = [
  {
    method: "GET",
    pattern: AM,
    family: "manager",
    auth: true,
    handler: (ctx) => {
      const env = environment(ctx);
      requireScope(ctx, ["read:api_configuration"], {
        organizationId: ctx.params.orgId,
        environmentId: env.id,
      });
      const { offset, limit } = paging(ctx, 100, 250, 0);
      const filter = (name: string) => ctx.query.get(name);
      const query = filter("query")?.toLowerCase();
      const instances = ctx.store
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
      // API Manager pages over assets, not instances.
      const assets = new Map<string, ApiInstance[]>();
      for (const api of instances) {
        const key = `${api.groupId}:${api.assetId}`;
        assets.set(key, [...(assets.get(key) ?? []), api]);
      }
      const page = [...assets.values()].slice(offset, offset + limit).map((apis) => ({
        audit: { created: {}, updated: {} },
        masterOrganizationId: apis[0].organizationId,
        organizationId: apis[0].organizationId,
        id: apis[0].id * 10,
        name: `groupId:${apis[0].groupId}:assetId:${apis[0].assetId}`,
        groupId: apis[0].groupId,
        assetId: apis[0].assetId,
        totalApis: apis.length,
        apis: apis.map((api) => listedInstance(ctx, api)),
      }));
      return { status: 200, body: { total: assets.size, assets: page } };
    },
  },
  {
    method: "GET",
    pattern: `${AM}/:apiId`,
    family: "manager",
    auth: true,
    handler: (ctx) => {
      const env = environment(ctx);
      requireScope(ctx, ["read:api_configuration"], {
        organizationId: ctx.params.orgId,
        environmentId: env.id,
      });
      const api = ctx.store.api(intParam(ctx, "apiId"));
      if (!api || api.environmentId !== env.id) return fail(404, `API ${ctx.params.apiId} not found`);
      return { status: 200, body: singleInstance(api) };
    },
  },
  {
    method: "GET",
    pattern: `${AM}/:apiId/tiers`,
    family: "manager",
    auth: true,
    handler: (ctx) => {
      const env = environment(ctx);
      requireScope(ctx, ["read:api_contracts"], { organizationId: ctx.params.orgId, environmentId: env.id });
      const api = ctx.store.api(intParam(ctx, "apiId"));
      if (!api || api.environmentId !== env.id) return fail(404, `API ${ctx.params.apiId} not found`);
      const { offset, limit } = paging(ctx, 100, 250, 0);
      const activeOnly = ctx.query.get("active") === "true";
      const tiers = api.tiers
        .filter((tier) => !activeOnly || tier.status === "ACTIVE")
        .map((tier) => ({
          audit: { created: {}, updated: {} },
          masterOrganizationId: api.organizationId,
          organizationId: api.organizationId,
          id: tier.id,
          name: tier.name,
          description: tier.description ?? null,
          limits: tier.limits.map((limit) => ({ visible: true, ...limit })),
          status: tier.status,
          autoApprove: tier.autoApprove,
          applicationCount: ctx.store.contracts().filter((c) => c.apiId === api.id && c.tierId === tier.id)
            .length,
          apiId: api.id,
        }));
      return { status: 200, body: { total: tiers.length, tiers: tiers.slice(offset, offset + limit) } };
    },
  },
  {
    method: "GET",
    pattern: "/exchange/api/v2/assets/:groupId/:assetId/versionGroups/:versionGroup/instances",
    family: "exchange",
    auth: true,
    handler: (ctx) => {
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
    },
  },
  {
    // Retired: listing API instances moved to API Manager.
    method: "GET",
    pattern: "/exchange/api/v1/organizations/:orgId/environments/:envId/apis",
    family: "exchange",
    auth: false,
    handler: () => fail(404, "Not Found"),
  },
];
