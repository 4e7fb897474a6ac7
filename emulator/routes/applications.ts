import { z } from "zod";
import type { Context, Handler, Route } from "../server";
import { fail, has, intParam, paging, parseBody, requireScope, route } from "../server";
import { type Application, newClientSecret } from "../store";

const E2 = "/exchange/api/v2/organizations/:orgId/applications";
const R2 = "/apiplatform/repository/v2/organizations/:orgId/applications";

const GRANT_TYPES = [
  "client_credentials",
  "password",
  "implicit",
  "authorization_code",
  "refresh_token",
] as const;
const optionalText = z.string().max(4000).nullable().optional();
const fields = {
  name: z.string().trim().min(1, "name is required").max(255),
  description: optionalText,
  url: optionalText,
  redirectUri: z.array(z.string()).optional(),
  grantTypes: z.array(z.enum(GRANT_TYPES)).optional(),
};
const createBody = z.object({ ...fields, apiEndpoints: z.boolean().optional() });
const patchBody = z.object({ ...fields, name: fields.name.optional() }).partial();

/** The root organization named in the path, or 404. Applications live only there. */
export function rootOrg(ctx: Context): string {
  const orgId = ctx.params.orgId;
  if (orgId !== ctx.store.rootOrganizationId()) fail(404, `organization ${orgId} not found`);
  return orgId;
}

/** Whether the caller may manage (read with secret, change, delete) this application. */
export function canManage(ctx: Context, app: Application): boolean {
  const caller = ctx.caller;
  if (app.owner === caller.identity) return true;
  // The per-application scope an administrator adds for one application (KB 001116119).
  if (
    caller.scopes.some(
      (grant) =>
        typeof grant !== "string" &&
        grant.scope === "manage:client_application" &&
        grant.applicationId === app.id,
    )
  )
    return true;
  // A user acting through the password grant with Manage Client Applications manages all.
  return (
    caller.kind === "user" &&
    has(caller, "manage:client_applications", { organizationId: app.masterOrganizationId })
  );
}

/** The application named by the `:appId` path segment, or a 404. */
function pathApplication(ctx: Context): Application {
  return (
    ctx.store.application(intParam(ctx, "appId")) ?? fail(404, `application ${ctx.params.appId} not found`)
  );
}

export function managedApplication(ctx: Context): Application {
  rootOrg(ctx);
  const app = pathApplication(ctx);
  if (!canManage(ctx, app)) fail(403, "not allowed to manage this application");
  return app;
}

/** Exchange's single application (get, create, patch): the example `ClientApplication`. */
export function exchangeView(app: Application, withSecret = true) {
  return {
    id: app.id,
    name: app.name,
    description: app.description,
    url: app.url,
    redirectUri: app.redirectUri,
    grantTypes: app.grantTypes,
    clientId: app.clientId,
    ...(withSecret ? { clientSecret: app.clientSecret } : {}),
    masterOrganizationId: app.masterOrganizationId,
  };
}

/** An item of Exchange's own-application list: schema and example `ClientApplications`, no credentials. */
function exchangeListItem(app: Application) {
  return {
    masterOrganizationId: app.masterOrganizationId,
    id: app.id,
    name: app.name,
    description: app.description,
    grantTypes: app.grantTypes,
    redirectUri: app.redirectUri,
  };
}

function adminView(app: Application) {
  return {
    audit: { created: { date: app.created }, updated: { date: app.updated } },
    masterOrganizationId: app.masterOrganizationId,
    id: app.id,
    name: app.name,
    description: app.description,
    coreServicesId: app.clientId,
    url: app.url,
    clientId: app.clientId,
    redirectUri: app.redirectUri,
    grantTypes: app.grantTypes,
    owner: app.owner,
    email: null,
    owners: [{ id: app.owner, username: app.owner }],
  };
}

function matches(app: Application, query: string | null, literal: boolean): boolean {
  if (!query) return true;
  return literal ? app.name === query : app.name.toLowerCase().includes(query.toLowerCase());
}

/** Without a read scope the admin list answers an empty 200, not a 403 (KB 005385409). */
function canListAll(ctx: Context, orgId: string): boolean {
  return (
    has(ctx.caller, "read:client_applications", { organizationId: orgId }) ||
    has(ctx.caller, "manage:client_applications", { organizationId: orgId })
  );
}

const createApplication: Handler = (ctx) => {
  const orgId = rootOrg(ctx);
  requireScope(ctx, ["create:client_applications"], { organizationId: orgId });
  const body = parseBody(ctx, createBody);
  const apiInstanceId = ctx.query.get("apiInstanceId");
  if (apiInstanceId !== null && !ctx.store.api(Number(apiInstanceId)))
    fail(404, `API instance ${apiInstanceId} not found`);
  const app = ctx.store.createApplication({
    name: body.name,
    description: body.description ?? null,
    url: body.url ?? null,
    redirectUri: body.redirectUri ?? [],
    grantTypes: body.grantTypes ?? [],
    owner: ctx.caller.identity,
  });
  return { status: 201, body: exchangeView(app) };
};

const listOwnApplications: Handler = (ctx) => {
  rootOrg(ctx);
  const { offset, limit } = paging(ctx, 250, 250, 0);
  const literal = ctx.query.get("literalMatch") === "true";
  const own = ctx.store
    .applications()
    .filter((app) => app.owner === ctx.caller.identity && matches(app, ctx.query.get("query"), literal));
  return { status: 200, body: own.slice(offset, offset + limit).map(exchangeListItem) };
};

const getApplication: Handler = (ctx) => {
  rootOrg(ctx);
  const app = pathApplication(ctx);
  if (canManage(ctx, app)) return { status: 200, body: exchangeView(app) };
  // View Client Applications shows an application without its secret.
  if (has(ctx.caller, "read:client_applications", { organizationId: app.masterOrganizationId }))
    return { status: 200, body: exchangeView(app, false) };
  return fail(403, "not allowed");
};

const patchApplication: Handler = (ctx) => {
  const app = managedApplication(ctx);
  const body = parseBody(ctx, patchBody);
  ctx.store.changeApplication(app, {
    ...(body.name !== undefined ? { name: body.name } : {}),
    ...(body.description !== undefined ? { description: body.description || null } : {}),
    ...(body.url !== undefined ? { url: body.url || null } : {}),
    ...(body.redirectUri !== undefined ? { redirectUri: body.redirectUri } : {}),
    ...(body.grantTypes !== undefined ? { grantTypes: body.grantTypes } : {}),
  });
  return { status: 200, body: exchangeView(app) };
};

const deleteOwnApplication: Handler = (ctx) => {
  ctx.store.deleteApplication(managedApplication(ctx));
  return { status: 204 };
};

const resetSecret: Handler = (ctx) => {
  const app = managedApplication(ctx);
  ctx.store.updateApplication(app, { clientSecret: newClientSecret() });
  // The spec documents the 201 without a body: the new secret is read with the application.
  return { status: 201 };
};

const listAllApplications: Handler = (ctx) => {
  const orgId = rootOrg(ctx);
  const { offset, limit } = paging(ctx, 100);
  if (!canListAll(ctx, orgId)) return { status: 200, body: { applications: [], total: 0 } };
  const all = ctx.store.applications().filter((app) => matches(app, ctx.query.get("query"), false));
  return {
    status: 200,
    body: { applications: all.slice(offset, offset + limit).map(adminView), total: all.length },
  };
};

const getAnyApplication: Handler = (ctx) => {
  const orgId = rootOrg(ctx);
  const app = pathApplication(ctx);
  if (!canListAll(ctx, orgId) && !canManage(ctx, app)) fail(403, "not allowed");
  return { status: 200, body: adminView(app) };
};

const deleteAnyApplication: Handler = (ctx) => {
  const orgId = rootOrg(ctx);
  const app = pathApplication(ctx);
  if (!canManage(ctx, app) && !has(ctx.caller, "manage:client_applications", { organizationId: orgId }))
    fail(403, "not allowed");
  ctx.store.deleteApplication(app);
  return { status: 204 };
};

export const applicationRoutes: Route[] = [
  route("exchange", "POST", E2, createApplication),
  route("exchange", "GET", E2, listOwnApplications),
  route("exchange", "GET", `${E2}/:appId`, getApplication),
  route("exchange", "PATCH", `${E2}/:appId`, patchApplication),
  route("exchange", "DELETE", `${E2}/:appId`, deleteOwnApplication),
  route("exchange", "POST", `${E2}/:appId/secret/reset`, resetSecret),
  route("platform", "GET", R2, listAllApplications),
  route("platform", "GET", `${R2}/:appId`, getAnyApplication),
  route("platform", "DELETE", `${R2}/:appId`, deleteAnyApplication),
];
