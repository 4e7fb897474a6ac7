import { z } from "zod";
import type { Context, Handler, Route } from "../server";
import { fail, intParam, paging, parseBody, requireScope, route } from "../server";
import {
  type ApiInstance,
  type Application,
  type Contract,
  CONTRACT_ACTIONS,
  type ContractAction,
  type Tier,
} from "../store";
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

/** The API instance of an API Manager path, checked against the organization and environment. */
function managedApi(ctx: Context, scope: string): ApiInstance {
  const api = ctx.store.api(intParam(ctx, "apiId"));
  if (!api || api.organizationId !== ctx.params.orgId || api.environmentId !== ctx.params.envId)
    fail(404, `API ${ctx.params.apiId} not found`);
  requireScope(ctx, [scope], { organizationId: api!.organizationId, environmentId: api!.environmentId });
  return api!;
}

/** The contract of an API Manager path, on that path's API instance. */
function contractOf(ctx: Context, api: ApiInstance): Contract {
  const contract = ctx.store.contract(intParam(ctx, "contractId"));
  if (!contract || contract.apiId !== api.id) fail(404, `contract ${ctx.params.contractId} not found`);
  return contract!;
}

/** The contract of an Exchange path, on that path's application. */
function applicationContract(ctx: Context, app: Application): Contract {
  const contract = ctx.store.contract(intParam(ctx, "contractId"));
  if (!contract || contract.applicationId !== app.id)
    fail(404, `contract ${ctx.params.contractId} not found`);
  return contract!;
}

/** Managing contracts is granted where the API instance lives (docs/anypoint.md section 5). */
function requireContractScope(ctx: Context, api: ApiInstance): void {
  requireScope(ctx, ["manage:api_contracts"], {
    organizationId: api.organizationId,
    environmentId: api.environmentId,
  });
}

/** The request-for-access body, refused unless it accepts the terms and names an API instance. */
function accessRequest(ctx: Context) {
  const body = parseBody(ctx, createContract);
  if (!body.acceptedTerms) fail(400, "acceptedTerms must be true to request access");
  if (body.instanceType !== "api" || body.apiId === undefined)
    fail(400, "only API instances (instanceType api with apiId) are supported by the emulator");
  return { ...body, apiId: body.apiId! };
}

const requestAccess: Handler = (ctx) => {
  const app = managedApplication(ctx);
  const body = accessRequest(ctx);
  const api = ctx.store.requestedInstance(body);
  requireContractScope(ctx, api);
  requireScope(ctx, ["read:exchange"], { organizationId: api.organizationId });
  const contract = ctx.store.requestContract(app, api, body.requestedTierId);
  return { status: 201, body: exchangeCreated(ctx, contract, app) };
};

const listApplicationContracts: Handler = (ctx) => {
  const app = managedApplication(ctx);
  const contracts = ctx.store.contracts().filter((contract) => contract.applicationId === app.id);
  return { status: 200, body: contracts.map((contract) => exchangeSummary(ctx, contract)) };
};

const requestTierChange: Handler = (ctx) => {
  const app = managedApplication(ctx);
  const contract = applicationContract(ctx, app);
  const { requestedTierId } = parseBody(ctx, z.object({ requestedTierId: z.number().int().min(1) }));
  requireContractScope(ctx, ctx.store.api(contract.apiId)!);
  ctx.store.changeTier(contract, requestedTierId, "consumer");
  return { status: 200, body: exchangePatched(ctx, contract, app) };
};

const listApiContracts: Handler = (ctx) => {
  const api = managedApi(ctx, "read:api_contracts");
  const { offset, limit } = paging(ctx, 100, 250, 0);
  const status = ctx.query.get("status");
  const query = ctx.query.get("query")?.toLowerCase();
  const all = ctx.store.contracts().filter((contract) => {
    if (contract.apiId !== api.id || (status && contract.status !== status.toUpperCase())) return false;
    return (
      !query || (ctx.store.application(contract.applicationId)?.name.toLowerCase().includes(query) ?? false)
    );
  });
  return {
    status: 200,
    body: { total: all.length, contracts: all.slice(offset, offset + limit).map((c) => managerView(ctx, c)) },
  };
};

const getApiContract: Handler = (ctx) => ({
  status: 200,
  body: managerView(ctx, contractOf(ctx, managedApi(ctx, "read:api_contracts"))),
});

/** The provider places the contract on `tierId`, asks for `requestedTierId`, or revokes it. */
const patchApiContract: Handler = (ctx) => {
  const contract = contractOf(ctx, managedApi(ctx, "manage:api_contracts"));
  const body = parseBody(ctx, managerPatch);
  if (body.tierId !== undefined) ctx.store.changeTier(contract, body.tierId, "provider");
  else if (body.requestedTierId !== undefined)
    ctx.store.changeTier(contract, body.requestedTierId, "consumer");
  else ctx.store.revokeContract(contract);
  return { status: 200, body: managerView(ctx, contract) };
};

const deleteApiContract: Handler = (ctx) => {
  ctx.store.deleteInactiveContract(contractOf(ctx, managedApi(ctx, "manage:api_contracts")));
  return { status: 204 };
};

/** An XAPI status action: 201 with the contract as API Manager's PATCH answers it (section 9). */
const contractAction =
  (action: ContractAction): Handler =>
  (ctx) => {
    const contract = contractOf(ctx, managedApi(ctx, "manage:api_contracts"));
    ctx.store.transitionContract(contract, action);
    return { status: 201, body: managerView(ctx, contract) };
  };

export const contractRoutes: Route[] = [
  route("exchange", "POST", E2, requestAccess),
  route("exchange", "GET", E2, listApplicationContracts),
  route("exchange", "PATCH", `${E2}/:contractId`, requestTierChange),
  route("manager", "GET", AM, listApiContracts),
  route("manager", "GET", `${AM}/:contractId`, getApiContract),
  route("manager", "PATCH", `${AM}/:contractId`, patchApiContract),
  route("manager", "DELETE", `${AM}/:contractId`, deleteApiContract),
  ...CONTRACT_ACTIONS.map((action) =>
    route("manager", "POST", `${XAPI}/:contractId/${action}`, contractAction(action)),
  ),
];
