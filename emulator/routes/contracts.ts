import { z } from "zod";
import { type Context, fail, intParam, paging, parseBody, requireScope, type Route } from "../server";
import type { ApiInstance, Application, Contract, Tier } from "../store";
import { managedApplication } from "./applications";

const E2 = "/exchange/api/v2/organizations/:orgId/applications/:appId/contracts";
const AM = "/apimanager/api/v1/organizations/:orgId/environments/:envId/apis/:apiId/contracts";
const XAPI = "/apimanager/xapi/v1/organizations/:orgId/environments/:envId/apis/:apiId/contracts";

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const text = z.string().min(1).max(256);

// CreateContractV2 (Exchange Experience API v2). The spec types apiId as a string; the docs
// send a number, so both are accepted (docs/anypoint.md section 3).
const createContract = z.object({
  acceptedTerms: z.boolean(),
  instanceType: z.enum(["api", "api-group"]),
  organizationId: z.string().regex(UUID, "must be a UUID"),
  groupId: text,
  assetId: text,
  version: text,
  versionGroup: z.string().min(1).max(128),
  apiId: z.union([z.string().regex(/^\d+$/), z.number().int()]).optional(),
  apiGroupInstanceId: z.union([z.string(), z.number()]).optional(),
  environmentId: z.string().max(256).optional(),
  requestedTierId: z.number().int().min(1).optional(),
});

// API Manager's contractPATCH schema, plus the status change to REVOKED docs/anypoint.md records.
const managerPatch = z
  .object({
    tierId: z.number().int().min(1).optional(),
    requestedTierId: z.number().int().min(1).optional(),
    status: z.literal("REVOKED").optional(),
  })
  .refine(
    (body) =>
      [body.tierId, body.requestedTierId, body.status].filter((value) => value !== undefined).length === 1,
    "exactly one of tierId, requestedTierId or status is required",
  );

// Each operation answers the fields its spec documents (docs/anypoint.md section 9 for the guesses).

/** A tier as API Manager's contract answers show it (responses/contracts.yaml, contractCreation.yaml). */
const managerTier = (tier: Tier) => ({
  id: tier.id,
  name: tier.name,
  description: tier.description ?? null,
  limits: tier.limits,
  status: tier.status,
  autoApprove: tier.autoApprove,
});

/** A tier as Exchange's contract list and create show it (client-applications.yaml `Contract`, examples). */
const exchangeTier = (tier: Tier) => ({
  id: tier.id,
  name: tier.name,
  description: tier.description ?? null,
  limits: tier.limits,
});

function tiersOf(ctx: Context, contract: Contract): { tier?: Tier; requested?: Tier } {
  const api = ctx.store.api(contract.apiId);
  return {
    tier: api?.tiers.find((candidate) => candidate.id === contract.tierId),
    requested: api?.tiers.find((candidate) => candidate.id === contract.requestedTierId),
  };
}

/**
 * API Manager's full view of a contract. The application carries its client id as
 * `coreServicesId` (responses/contracts.yaml, example contracts.json), never as `clientId`.
 */
export function managerView(ctx: Context, contract: Contract) {
  const app = ctx.store.application(contract.applicationId);
  const { tier, requested } = tiersOf(ctx, contract);
  return {
    audit: { created: { date: contract.created }, updated: {} },
    id: contract.id,
    status: contract.status,
    approvedDate: contract.approvedDate,
    rejectedDate: contract.rejectedDate,
    revokedDate: contract.revokedDate,
    applicationId: contract.applicationId,
    application: app
      ? {
          id: app.id,
          name: app.name,
          description: app.description,
          coreServicesId: app.clientId,
          url: app.url,
        }
      : null,
    tierId: contract.tierId,
    tier: tier ? managerTier(tier) : null,
    requestedTierId: contract.requestedTierId,
    requestedTier: requested ? managerTier(requested) : null,
    apiId: contract.apiId,
    api: { id: contract.apiId },
    terms: null,
  };
}

/** Exchange's light view (per-application list, example `Contracts`). */
function exchangeSummary(ctx: Context, contract: Contract) {
  const { tier, requested } = tiersOf(ctx, contract);
  return {
    id: contract.id,
    status: contract.status,
    ...(tier ? { tier: exchangeTier(tier) } : {}),
    ...(requested ? { requestedTier: exchangeTier(requested) } : {}),
  };
}

/** Exchange's answer to a request for access: schema `Contract` and its example, with the credentials. */
function exchangeCreated(ctx: Context, contract: Contract, app: Application) {
  const { tier, requested } = tiersOf(ctx, contract);
  return {
    id: contract.id,
    status: contract.status,
    clientId: app.clientId,
    clientSecret: app.clientSecret,
    ...(tier ? { tier: { ...exchangeTier(tier), status: tier.status } } : {}),
    ...(requested ? { requestedTier: exchangeTier(requested) } : {}),
  };
}

/** Exchange's answer to a tier change (the PATCH example): the tier in force, with the credentials. */
function exchangePatched(ctx: Context, contract: Contract, app: Application) {
  const { tier } = tiersOf(ctx, contract);
  // The example names the limits `defaultLimits`; they are left out rather than guessed.
  const { limits: _limits, ...shown } = tier ? managerTier(tier) : { limits: undefined };
  return {
    id: contract.id,
    status: contract.status,
    applicationId: app.id,
    clientId: app.clientId,
    clientSecret: app.clientSecret,
    ...(tier ? { tier: shown } : {}),
  };
}

/** A tier a contract may be placed on: it exists on the instance and is not deprecated. */
function usableTier(api: ApiInstance, tierId: number): Tier {
  const tier =
    api.tiers.find((candidate) => candidate.id === tierId) ??
    fail(400, `tier ${tierId} does not belong to API ${api.id}`);
  if (tier.status === "DEPRECATED")
    fail(400, `tier ${tierId} (${tier.name}) is deprecated and takes no new contracts`);
  return tier;
}

/** The API instance of an API Manager path, checked against the organization and environment. */
function managedApi(ctx: Context, scope: string): ApiInstance {
  const api = ctx.store.api(intParam(ctx, "apiId"));
  if (!api || api.organizationId !== ctx.params.orgId || api.environmentId !== ctx.params.envId)
    fail(404, `API ${ctx.params.apiId} not found`);
  requireScope(ctx, [scope], { organizationId: api!.organizationId, environmentId: api!.environmentId });
  return api!;
}

function contractOf(ctx: Context, api: ApiInstance): Contract {
  const contract = ctx.store.contract(intParam(ctx, "contractId"));
  if (!contract || contract.apiId !== api.id) fail(404, `contract ${ctx.params.contractId} not found`);
  return contract!;
}

/** Moves a contract to a tier: at once when the tier auto-approves, else as a pending request. */
function applyTier(ctx: Context, contract: Contract, tier: Tier, asOwner: boolean): void {
  if (asOwner || tier.autoApprove)
    ctx.store.updateContract(contract, { tierId: tier.id, requestedTierId: null });
  else ctx.store.updateContract(contract, { requestedTierId: tier.id });
}

type Transition = { from: Contract["status"][]; to: Contract["status"] };
const TRANSITIONS: Record<string, Transition> = {
  approve: { from: ["PENDING", "APPROVED"], to: "APPROVED" },
  reject: { from: ["PENDING"], to: "REJECTED" },
  revoke: { from: ["APPROVED"], to: "REVOKED" },
  restore: { from: ["REVOKED"], to: "APPROVED" },
};

export const contractRoutes: Route[] = [
  {
    method: "POST",
    pattern: E2,
    family: "exchange",
    auth: true,
    handler: (ctx) => {
      const app = managedApplication(ctx);
      const body = parseBody(ctx, createContract);
      if (!body.acceptedTerms) fail(400, "acceptedTerms must be true to request access");
      if (body.instanceType !== "api" || body.apiId === undefined)
        fail(400, "only API instances (instanceType api with apiId) are supported by the emulator");
      const api = ctx.store.api(Number(body.apiId)) ?? fail(404, `API instance ${body.apiId} not found`);
      if (body.environmentId !== undefined && body.environmentId !== api.environmentId)
        fail(400, `API instance ${api.id} is not in environment ${body.environmentId}`);
      if (
        body.organizationId !== api.organizationId ||
        body.assetId !== api.assetId ||
        body.groupId !== api.groupId ||
        body.versionGroup !== api.productVersion
      ) {
        fail(
          400,
          `asset ${body.groupId}/${body.assetId} ${body.versionGroup} does not match API instance ${api.id}`,
        );
      }
      requireScope(ctx, ["manage:api_contracts"], {
        organizationId: api.organizationId,
        environmentId: api.environmentId,
      });
      requireScope(ctx, ["read:exchange"], { organizationId: api.organizationId });
      if (api.deprecated) fail(400, `API instance ${api.id} is deprecated and takes no new contracts`);
      const active = api.tiers.filter((tier) => tier.status === "ACTIVE");
      let tier: Tier | undefined;
      if (body.requestedTierId !== undefined) tier = usableTier(api, body.requestedTierId);
      else if (active.length > 0) {
        fail(
          400,
          `API instance ${api.id} has SLA tiers; requestedTierId is required (${active.map((t) => `${t.id} ${t.name}`).join(", ")})`,
        );
      }
      if (
        ctx.store
          .contracts()
          .some((contract) => contract.applicationId === app.id && contract.apiId === api.id)
      ) {
        fail(409, `application ${app.id} already has a contract with API ${api.id}`);
      }
      const approved = !tier || tier.autoApprove;
      const contract = ctx.store.addContract({
        applicationId: app.id,
        apiId: api.id,
        status: approved ? "APPROVED" : "PENDING",
        tierId: approved && tier ? tier.id : null,
        requestedTierId: approved ? null : tier!.id,
      });
      return { status: 201, body: exchangeCreated(ctx, contract, app) };
    },
  },
  {
    method: "GET",
    pattern: E2,
    family: "exchange",
    auth: true,
    handler: (ctx) => {
      const app = managedApplication(ctx);
      const contracts = ctx.store.contracts().filter((contract) => contract.applicationId === app.id);
      return { status: 200, body: contracts.map((contract) => exchangeSummary(ctx, contract)) };
    },
  },
  {
    method: "PATCH",
    pattern: `${E2}/:contractId`,
    family: "exchange",
    auth: true,
    handler: (ctx) => {
      const app = managedApplication(ctx);
      const contract = ctx.store.contract(intParam(ctx, "contractId"));
      if (!contract || contract.applicationId !== app.id)
        return fail(404, `contract ${ctx.params.contractId} not found`);
      const { requestedTierId } = parseBody(ctx, z.object({ requestedTierId: z.number().int().min(1) }));
      const api = ctx.store.api(contract.apiId)!;
      requireScope(ctx, ["manage:api_contracts"], {
        organizationId: api.organizationId,
        environmentId: api.environmentId,
      });
      applyTier(ctx, contract, usableTier(api, requestedTierId), false);
      return { status: 200, body: exchangePatched(ctx, contract, app) };
    },
  },
  {
    method: "GET",
    pattern: AM,
    family: "manager",
    auth: true,
    handler: (ctx) => {
      const api = managedApi(ctx, "read:api_contracts");
      const { offset, limit } = paging(ctx, 100, 250, 0);
      const status = ctx.query.get("status");
      const query = ctx.query.get("query")?.toLowerCase();
      const all = ctx.store.contracts().filter((contract) => {
        if (contract.apiId !== api.id || (status && contract.status !== status.toUpperCase())) return false;
        return (
          !query ||
          (ctx.store.application(contract.applicationId)?.name.toLowerCase().includes(query) ?? false)
        );
      });
      return {
        status: 200,
        body: {
          total: all.length,
          contracts: all.slice(offset, offset + limit).map((c) => managerView(ctx, c)),
        },
      };
    },
  },
  {
    method: "GET",
    pattern: `${AM}/:contractId`,
    family: "manager",
    auth: true,
    handler: (ctx) => ({
      status: 200,
      body: managerView(ctx, contractOf(ctx, managedApi(ctx, "read:api_contracts"))),
    }),
  },
  {
    method: "PATCH",
    pattern: `${AM}/:contractId`,
    family: "manager",
    auth: true,
    handler: (ctx) => {
      const api = managedApi(ctx, "manage:api_contracts");
      const contract = contractOf(ctx, api);
      const body = parseBody(ctx, managerPatch);
      if (body.tierId !== undefined) applyTier(ctx, contract, usableTier(api, body.tierId), true);
      else if (body.requestedTierId !== undefined)
        applyTier(ctx, contract, usableTier(api, body.requestedTierId), false);
      else {
        if (contract.status !== "APPROVED")
          fail(
            409,
            `contract ${contract.id} is ${contract.status}; only an APPROVED contract can be revoked`,
          );
        ctx.store.updateContract(contract, { status: "REVOKED" });
      }
      return { status: 200, body: managerView(ctx, contract) };
    },
  },
  {
    method: "DELETE",
    pattern: `${AM}/:contractId`,
    family: "manager",
    auth: true,
    handler: (ctx) => {
      const contract = contractOf(ctx, managedApi(ctx, "manage:api_contracts"));
      // As in the UI: a contract that grants access must be revoked before it is deleted.
      if (contract.status === "APPROVED")
        fail(409, `contract ${contract.id} is APPROVED; revoke it before deleting it`);
      ctx.store.deleteContract(contract);
      return { status: 204 };
    },
  },
  ...Object.entries(TRANSITIONS).map(([action, transition]): Route => ({
    method: "POST",
    pattern: `${XAPI}/:contractId/${action}`,
    family: "manager",
    auth: true,
    handler: (ctx) => {
      const contract = contractOf(ctx, managedApi(ctx, "manage:api_contracts"));
      const pendingTierChange = contract.status === "APPROVED" && contract.requestedTierId !== null;
      if (
        !transition.from.includes(contract.status) ||
        (action === "approve" && contract.status === "APPROVED" && !pendingTierChange)
      ) {
        fail(409, `contract ${contract.id} is ${contract.status}; it cannot be ${action}d`);
      }
      if (action === "approve") {
        ctx.store.updateContract(contract, {
          status: "APPROVED",
          tierId: contract.requestedTierId ?? contract.tierId,
          requestedTierId: null,
        });
      } else {
        ctx.store.updateContract(contract, { status: transition.to });
      }
      return { status: 201, body: managerView(ctx, contract) };
    },
  })),
];
