import { z } from "zod";
import { type Context, fail, type Handler, HttpError, parseBody, type Route, route } from "../server";
import type { Caller } from "../store";

const tokenRequest = z.union([
  z.object({ grant_type: z.literal("client_credentials"), client_id: z.string(), client_secret: z.string() }),
  z.object({
    grant_type: z.literal("password"),
    client_id: z.string(),
    client_secret: z.string(),
    username: z.string(),
    password: z.string(),
    scope: z.string().optional(),
    response_type: z.string().optional(),
  }),
]);

const oauthError = (status: number, error: string, description: string) =>
  new HttpError(status, description, { error, error_description: description });

/** The caller a password grant acts as: the user, through the connected app (docs/anypoint.md section 1). */
function userCaller(ctx: Context, clientId: string, username: string, password: string): Caller {
  const user = ctx.store.seed.users.find((candidate) => candidate.username === username);
  if (!user || user.password !== password)
    throw oauthError(400, "invalid_grant", "Invalid username or password");
  if (user.mfa) {
    throw oauthError(
      400,
      "invalid_grant",
      "The user has multi-factor authentication (MFA) enabled; the password grant is not supported for users with MFA",
    );
  }
  return {
    identity: `user:${user.username}`,
    kind: "user",
    clientId,
    username: user.username,
    organizationId: user.organizationId,
    scopes: user.scopes,
  };
}

const issueToken: Handler = (ctx) => {
  const grant = (ctx.body as { grant_type?: string } | undefined)?.grant_type;
  if (grant !== "client_credentials" && grant !== "password")
    throw oauthError(400, "unsupported_grant_type", `grant_type ${grant ?? "(missing)"} is not supported`);
  const body = parseBody(ctx, tokenRequest);
  const app = ctx.store.seed.connectedApps.find((candidate) => candidate.clientId === body.client_id);
  if (!app || app.clientSecret !== body.client_secret)
    throw oauthError(401, "invalid_client", "Invalid client credentials");
  const caller: Caller =
    body.grant_type === "password"
      ? userCaller(ctx, app.clientId, body.username, body.password)
      : {
          identity: app.clientId,
          kind: "client",
          clientId: app.clientId,
          organizationId: app.organizationId,
          scopes: app.scopes,
        };
  const token = ctx.store.issueToken(caller, ctx.options.tokenTtlSeconds);
  return {
    status: 200,
    body: { access_token: token.value, token_type: "bearer", expires_in: ctx.options.tokenTtlSeconds },
  };
};

const me: Handler = (ctx) => {
  const caller = ctx.caller;
  const root =
    ctx.store.seed.organizations.find((org) => org.id === caller.organizationId) ??
    fail(404, "organization not found");
  const children = ctx.store.seed.organizations
    .filter((org) => org.parentId === root.id)
    .map((org) => org.id);
  const app = ctx.store.seed.connectedApps.find((candidate) => candidate.clientId === caller.clientId);
  const organization = {
    id: root.id,
    name: root.name,
    isFederated: false,
    subOrganizationIds: children,
    parentOrganizationIds: [],
  };
  return {
    status: 200,
    body: {
      client: { client_id: caller.clientId, name: app?.name },
      user: {
        id: caller.username ? `user-${caller.username}` : caller.clientId,
        username: caller.username ?? app?.name,
        organizationId: root.id,
        enabled: true,
        organization,
      },
    },
  };
};

/** The environments of an organization or business group (Access Management). */
const listEnvironments: Handler = (ctx) => {
  const org =
    ctx.store.seed.organizations.find((candidate) => candidate.id === ctx.params.orgId) ??
    fail(404, `organization ${ctx.params.orgId} not found`);
  const data = ctx.store.seed.environments
    .filter((env) => env.organizationId === org.id)
    .map((env) => ({
      id: env.id,
      name: env.name,
      organizationId: env.organizationId,
      type: env.type,
      isProduction: env.type === "production",
      clientId: null,
    }));
  return { status: 200, body: { data, total: data.length } };
};

export const accountsRoutes: Route[] = [
  route("accounts", "POST", "/accounts/api/v2/oauth2/token", issueToken, { auth: false }),
  route("accounts", "GET", "/accounts/api/me", me),
  route("accounts", "GET", "/accounts/api/organizations/:orgId/environments", listEnvironments),
];
