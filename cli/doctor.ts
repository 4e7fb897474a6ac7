import {
  type AdminApplication,
  AnypointClient,
  type AnypointError,
  type ApiInstance,
  type Application,
  type Environment,
  isAnypointError,
} from "../client";
import { messageOf } from "../client/errors";
import {
  type CallContext,
  forbiddenHint,
  grantText,
  type Operation,
  REQUIREMENTS,
  type Scope,
} from "../client/scopes";
import { type CommandIo, parseArgs, processIo, UsageError } from "./args";
import { CONNECTION_OPTIONS, resolveCliConfig } from "./cliConfig";
import { formatTable, mask } from "./table";

/**
 * `pulumi-anypoint doctor`: checks that the configured credentials can make every call the
 * provider makes, and names the scope to add where they cannot.
 *
 * Each probe names the operation it makes; the scope table (client/scopes.ts) says which scopes
 * its answer proves and what to add after a 403. Reads are simply made. A write is probed with a
 * request Anypoint must refuse, sent once (never retried or recovered): a create with an empty
 * name (permission checked before validation: 400 means allowed) and an approve of contract 0
 * (permission checked before the lookup: 404 means allowed). Anything such a probe creates after
 * all is deleted and reported. Requesting access is inferred from the scopes the probes proved;
 * what cannot be told without writing is reported "not checked", never guessed.
 */

const USAGE = `usage: pulumi-anypoint doctor [--json] [--environment ID ...] [--stack NAME]
                              [--base-url URL] [--client-id ID] [--organization-id ID]

Checks the credentials the provider would use: the selected stack's anypoint:* config when run in
a Pulumi project, else the ANYPOINT_* environment variables (secrets only from there). Exits 0 when
every check passes or only warns, 1 when something the provider needs is missing, 2 on bad usage.
`;

export type Verdict = "ok" | "warn" | "fail" | "not checked";

export interface DoctorCheck {
  /** Stable key, e.g. `token`, `environment.apis`. */
  id: string;
  check: string;
  /** `organization`, an environment's name and id, or `-`. */
  where: string;
  verdict: Verdict;
  detail: string;
  /** What to do, naming the scope and where to add it. */
  fix?: string;
}

export interface DoctorReport {
  ok: boolean;
  baseUrl: string;
  source: string;
  credentials: string;
  organization?: { id: string; name?: string };
  environments: { id: string; name: string }[];
  checks: DoctorCheck[];
}

const KB_EMPTY_LIST = "KB 005385409";
const KB_FORBIDDEN = "KB 001120307";

export async function runDoctorCommand(argv: string[], io: CommandIo = processIo()): Promise<number> {
  let json = false;
  try {
    const args = parseArgs(argv, {
      flags: ["--json", "--help", "-h"],
      options: ["--environment", ...CONNECTION_OPTIONS],
    });
    if (args.flags.has("--help") || args.flags.has("-h")) {
      io.stdout(USAGE);
      return 0;
    }
    json = args.flags.has("--json");
    let resolved;
    try {
      resolved = await resolveCliConfig(args, io);
    } catch (error) {
      const check: DoctorCheck = {
        id: "configuration",
        check: "configuration",
        where: "-",
        verdict: "fail",
        detail: messageOf(error),
        fix: "Set anypoint:clientId and anypoint:clientSecret in the stack (`pulumi config set --secret anypoint:clientSecret` prompts for it), or ANYPOINT_CLIENT_ID and ANYPOINT_CLIENT_SECRET",
      };
      const report: DoctorReport = {
        ok: false,
        baseUrl: "",
        source: "",
        credentials: "",
        environments: [],
        checks: [check],
      };
      io.stdout(json ? `${JSON.stringify(report, null, 2)}\n` : render(report));
      return 1;
    }
    const client = new AnypointClient(resolved.config);
    const report = await diagnose(client, resolved.source, args.values.get("--environment") ?? []);
    const text = json ? `${JSON.stringify(report, null, 2)}\n` : render(report);
    io.stdout(redactAll(client, text));
    return report.ok ? 0 : 1;
  } catch (error) {
    if (error instanceof UsageError) {
      io.stderr(`pulumi-anypoint doctor: ${error.message}\n\n${USAGE}`);
      return 2;
    }
    throw error;
  }
}

/** What a probe found; without a verdict, "ok" (or "warn" for a write that should have been refused). */
type Outcome = string | { verdict?: Verdict; detail: string; fix?: string };

/** What the probes share: each may leave something for the ones after it. */
interface Context {
  client: AnypointClient;
  orgId: string;
  env?: { id: string; name: string };
  /** The environment's API instance the contract probes use. */
  api?: ApiInstance;
  own?: Pick<Application, "id" | "name">[];
  all?: AdminApplication[];
  /** An application created by another identity that these credentials read with its secret. */
  manageableOther?: Application;
}

interface Probe {
  id: string;
  check: string;
  /** The call it makes: the scope table says what a pass proves and what a 403 lacks. */
  operation: Operation;
  /** A write probed with a request Anypoint must refuse: the status of the refusal that proves the permission. */
  refusedWith?: 400 | 404;
  /** Needs an API instance of the environment. */
  onInstance?: boolean;
  /** Granted on the organization: probed in the first environment only. */
  onceForOrganization?: boolean;
  run: (context: Context) => Promise<Outcome>;
}

/** Marks what the create probe might create, so that it can be found and deleted. */
const PROBE_DESCRIPTION = "pulumi-anypoint doctor probe: invalid on purpose, delete me";

const ORGANIZATION_PROBES: Probe[] = [
  {
    id: "applications.create",
    check: "create applications",
    operation: "createApplication",
    refusedWith: 400,
    run: createProbe,
  },
  {
    id: "applications.listOwn",
    check: "list own applications",
    operation: "listOwnApplications",
    run: async (c) =>
      `${(c.own = await c.client.listOwnApplications(c.orgId)).length} created by these credentials`,
  },
  {
    id: "applications.listAll",
    check: "list all applications",
    operation: "listAllApplications",
    run: async (c) => {
      const all = (c.all = (await c.client.listAllApplications(c.orgId)).applications);
      const own = c.own ?? [];
      const missing = own.filter((app) => !all.some((listed) => listed.id === app.id));
      const fix =
        `Add ${grantText(REQUIREMENTS.listAllApplications.scopes, { organizationId: c.orgId })} to the connected app; without it ` +
        `Anypoint answers the admin list with an empty 200 instead of a 403 (${KB_EMPTY_LIST}). adopt and discover need it`;
      if (missing.length > 0) {
        const detail = `empty-200 trap: the admin list returned ${all.length}, missing ${missing.length} of the ${own.length} these credentials created (e.g. ${missing[0].name})`;
        return { verdict: "fail", detail, fix };
      }
      if (all.length > 0)
        return `${all.length} application(s), including ${own.length} created by these credentials`;
      const detail =
        "the admin list is empty and these credentials created none: an empty organization looks the same as the empty-200 trap";
      return { verdict: "not checked", detail, fix: `If the organization has client applications: ${fix}` };
    },
  },
  {
    id: "applications.others",
    check: "applications created by others",
    operation: "updateApplication",
    run: async (c) => {
      const others = (c.all ?? []).filter((app) => !(c.own ?? []).some((mine) => mine.id === app.id));
      if (others.length === 0)
        return c.all?.length
          ? "none"
          : { verdict: "not checked", detail: "the admin list is empty or unreadable" };
      const read = await Promise.all(
        others.map((app) => c.client.getApplication(c.orgId, app.id).catch(() => undefined)),
      );
      c.manageableOther = read.find((app) => app?.clientSecret);
      const blocked = others.filter((_, index) => !read[index]?.clientSecret);
      if (blocked.length === 0) return `can manage all ${others.length}`;
      const names = blocked
        .slice(0, 10)
        .map((app) => `${app.name} (${app.id}${app.owner ? `, created by ${app.owner}` : ""})`);
      return {
        verdict: "warn",
        detail: `cannot manage ${blocked.length} of ${others.length}: ${names.join(", ")}${blocked.length > 10 ? ", ..." : ""}`,
        fix: `${forbiddenHint("updateApplication", { organizationId: c.orgId, createdByCaller: false })}; or leave them to the identity that created them`,
      };
    },
  },
  {
    id: "applications.read",
    check: "read applications with secrets",
    operation: "getApplication",
    run: async (c) => {
      const target = c.own?.[0] ?? c.manageableOther;
      if (!target)
        return {
          verdict: "not checked",
          detail: "no application to read; the creator of an application can always read it",
        };
      const app = await c.client.getApplication(c.orgId, target.id);
      if (app.clientSecret) return `${app.name} (${app.id}) read with its secret`;
      const fix = forbiddenHint("getApplication", { organizationId: c.orgId, applicationId: app.id });
      return { verdict: "fail", detail: `${app.name} (${app.id}) came back without its secret`, fix };
    },
  },
];

const ENVIRONMENT_PROBES: Probe[] = [
  {
    id: "environment.apis",
    check: "list API instances",
    operation: "listApiInstances",
    run: async (c) => {
      const instances = await c.client.listApiInstances(c.orgId, c.env!.id);
      c.api = instances.find((instance) => !instance.deprecated) ?? instances[0];
      return `${instances.length} instance(s)`;
    },
  },
  {
    id: "environment.tiers",
    check: "list tiers",
    operation: "listTiers",
    onInstance: true,
    run: async ({ client, orgId, env, api }) =>
      `instance ${api!.id}: ${(await client.listTiers(orgId, env!.id, api!.id)).length} tier(s)`,
  },
  {
    id: "environment.contracts.read",
    check: "read contracts",
    operation: "listApiContracts",
    onInstance: true,
    run: async ({ client, orgId, env, api }) =>
      `instance ${api!.id}: ${(await client.listApiContracts(orgId, env!.id, api!.id)).length} contract(s)`,
  },
  {
    id: "environment.contracts.manage",
    check: "approve/revoke/delete contracts",
    operation: "approveContract",
    refusedWith: 404,
    onInstance: true,
    run: async ({ client, orgId, env, api }) => {
      // Contract 0 cannot exist: nothing can be approved whatever the answer.
      await client.approveContract(orgId, env!.id, api!.id, 0, { once: true });
      return "the probe (approve contract 0, which cannot exist) was accepted; the answer proves nothing";
    },
  },
  {
    id: "exchange",
    check: "Exchange asset lookup",
    operation: "findAssetInstances",
    onInstance: true,
    onceForOrganization: true,
    run: async ({ client, api }) => {
      await client.findAssetInstances(api!.groupId, api!.assetId, api!.productVersion);
      return `${api!.assetId} ${api!.productVersion}`;
    },
  },
];

/** Not probed: inferred from what the probes proved of each scope the operation needs. */
const INFERRED: { id: string; check: string; operation: Operation }[] = [
  {
    id: "environment.contracts.create",
    check: "request access (create contracts)",
    operation: "createContract",
  },
];

/** A create that must be refused, sent once; whatever it created after all is deleted and reported. */
async function createProbe(c: Context): Promise<Outcome> {
  let created: number[];
  try {
    const body = {
      name: "",
      description: PROBE_DESCRIPTION,
      grantTypes: ["(doctor probe: invalid on purpose)"],
    };
    created = [(await c.client.createApplication(c.orgId, body, { once: true })).id];
  } catch (error) {
    if (isAnypointError(error) && (error.status === 400 || error.status === 403)) throw error;
    // The answer was lost or unexpected: the create may have gone through all the same.
    const own = await c.client.listOwnApplications(c.orgId).catch(() => []);
    created = own.filter((app) => app.description === PROBE_DESCRIPTION).map((app) => app.id);
    if (created.length === 0) throw error;
  }
  const what = `the probe (a create with an empty name) created application ${created.join(", ")}`;
  try {
    for (const id of created) await c.client.deleteApplication(c.orgId, id);
  } catch (error) {
    const fix = `Delete client application ${created.join(", ")} in Access Management, and report this`;
    return { verdict: "fail", detail: `${what} and could not delete it: ${summaryOf(error)}`, fix };
  }
  return {
    verdict: "warn",
    detail: `${what}; doctor deleted it. Anypoint should have refused it: report this`,
  };
}

/** Runs one probe, and records what its answer proves of each scope its operation needs. */
async function runProbe(
  probe: Probe,
  c: Context,
  where: string,
  proven: Map<string, Verdict>,
): Promise<DoctorCheck> {
  const base = { id: probe.id, check: probe.check, where };
  const place: CallContext = { organizationId: c.orgId, environmentId: c.env?.id };
  let check: DoctorCheck;
  let scopes: Verdict | undefined;
  try {
    const outcome = await probe.run(c);
    const { verdict, ...rest } = typeof outcome === "string" ? { detail: outcome } : outcome;
    check = { ...base, verdict: verdict ?? (probe.refusedWith ? "warn" : "ok"), ...rest };
    if (check.verdict === "ok") scopes = "ok";
  } catch (error) {
    if (probe.refusedWith && isAnypointError(error) && error.status === probe.refusedWith) {
      scopes = "ok";
      const detail = `probe: refused with ${error.status} (${error.summary}), not 403: the permission is there`;
      check = { ...base, verdict: "ok", detail };
    } else if (isAnypointError(error, "forbidden")) {
      scopes = "fail";
      check = {
        ...base,
        verdict: "fail",
        detail: summaryOf(error),
        fix: forbiddenHint(probe.operation, place),
      };
    } else if (probe.refusedWith) {
      check = { ...base, verdict: "not checked", detail: `the probe answered ${summaryOf(error)}` };
    } else {
      check = failure(probe.id, probe.check, where, error);
    }
  }
  if (scopes)
    for (const scope of REQUIREMENTS[probe.operation].scopes) proven.set(scopeKey(scope, place), scopes);
  return check;
}

function scopeKey(scope: Scope, place: CallContext): string {
  return scope.level === "environment" ? `${scope.scope}@${place.environmentId}` : scope.scope;
}

function infer(
  inferred: (typeof INFERRED)[number],
  c: Context,
  where: string,
  proven: Map<string, Verdict>,
): DoctorCheck {
  const place: CallContext = { organizationId: c.orgId, environmentId: c.env?.id };
  const scopes = REQUIREMENTS[inferred.operation].scopes;
  const verdicts = scopes.map((scope) => proven.get(scopeKey(scope, place)) ?? "not checked");
  const missing = scopes.filter((_, index) => verdicts[index] === "fail");
  const names = scopes.map((scope) => scope.name).join(" and ");
  const base = { id: inferred.id, check: inferred.check, where };
  if (missing.length > 0) {
    const fix = `Add ${grantText(missing, place)} to the connected app (${KB_FORBIDDEN})`;
    return {
      ...base,
      verdict: "fail",
      detail: `needs ${missing.map((scope) => scope.name).join(" and ")}`,
      fix,
    };
  }
  return verdicts.every((verdict) => verdict === "ok")
    ? { ...base, verdict: "ok", detail: `inferred: the probes proved ${names}` }
    : { ...base, verdict: "not checked", detail: `${names} could not all be probed` };
}

/** Runs every check in order; later checks are skipped ("not checked") when what they need failed. */
export async function diagnose(
  client: AnypointClient,
  source: string,
  environmentFilter: string[],
): Promise<DoctorReport> {
  const checks: DoctorCheck[] = [];
  const add = (check: DoctorCheck) => checks.push(check);
  const credentials = describeCredentials(client);
  const report: DoctorReport = {
    ok: false,
    baseUrl: client.baseUrl,
    source,
    credentials,
    environments: [],
    checks,
  };

  const kind = client.config.credentials.kind;
  try {
    await client.authenticate();
    add({ id: "token", check: "token", where: "-", verdict: "ok", detail: `issued (${grantName(kind)})` });
  } catch (error) {
    add({ ...failure("token", "token", "-", error), fix: hintOf(error) ?? "Check the credentials" });
    add(skipped("everything else", "no token"));
    return finish(report);
  }
  if (kind !== "clientCredentials") add(GRANT_WARNINGS[kind]);

  let orgId: string;
  try {
    const me = await client.me();
    const org = me.user?.organization;
    orgId = org?.id ?? me.user?.organizationId ?? (await client.rootOrganizationId());
    report.organization = { id: orgId, name: org?.name };
    const who = `${kind === "password" ? "user" : "connected app"} ${me.user?.username ?? me.client?.name ?? "?"}`;
    add({
      id: "organization",
      check: "root organization",
      where: "-",
      verdict: "ok",
      detail: `${org?.name ?? "(unnamed)"} ${orgId}, as ${who}`,
    });
    if (client.config.organizationId && org?.id && client.config.organizationId !== org.id) {
      add({
        id: "organization.configured",
        check: "configured organization",
        where: "-",
        verdict: "warn",
        detail: `anypoint:organizationId is ${client.config.organizationId}, the credentials belong to ${org.id}`,
        fix: "Client applications live in the root organization: remove anypoint:organizationId or set it to the root organization id",
      });
    }
  } catch (error) {
    add(failure("organization", "root organization", "-", error));
    add(skipped("everything else", "the organization is unknown"));
    return finish(report);
  }

  let environments: { id: string; name: string }[];
  try {
    const all: Environment[] = await client.listEnvironments(orgId);
    const unknown = environmentFilter.filter((id) => !all.some((env) => env.id === id));
    environments =
      environmentFilter.length > 0 ? all.filter((env) => environmentFilter.includes(env.id)) : all;
    const listed = all.map((env) => `${env.name} ${env.id}`).join(", ");
    add({
      id: "environments",
      check: "environments",
      where: "organization",
      verdict: unknown.length > 0 ? "fail" : all.length === 0 ? "warn" : "ok",
      detail:
        unknown.length > 0 ? `not in organization ${orgId}: ${unknown.join(", ")}` : listed || "none visible",
      ...(unknown.length > 0 && { fix: `Use environment ids of organization ${orgId}: ${listed}` }),
    });
  } catch (error) {
    const fix = isAnypointError(error, "forbidden")
      ? forbiddenHint("listEnvironments", { organizationId: orgId })
      : undefined;
    add({ ...failure("environments", "environments", "organization", error), ...(fix && { fix }) });
    environments = environmentFilter.map((id) => ({ id, name: "?" }));
  }
  report.environments = environments;

  const proven = new Map<string, Verdict>();
  const organization: Context = { client, orgId };
  for (const probe of ORGANIZATION_PROBES) add(await runProbe(probe, organization, "organization", proven));
  for (const [index, env] of environments.entries()) {
    const where = `${env.name} ${env.id}`;
    const c: Context = { ...organization, env };
    for (const probe of ENVIRONMENT_PROBES) {
      if (probe.onceForOrganization && index > 0) continue;
      const at = probe.onceForOrganization ? "organization" : where;
      if (probe.onInstance && !c.api) {
        const why = checks.some(
          (check) => check.id === "environment.apis" && check.where === where && check.verdict === "ok",
        )
          ? "no API instance in this environment to probe"
          : "API instances could not be listed";
        add({ id: probe.id, check: probe.check, where: at, verdict: "not checked", detail: why });
      } else add(await runProbe(probe, c, at, proven));
    }
    for (const inferred of INFERRED) add(infer(inferred, c, where, proven));
  }
  return finish(report);
}

const GRANT_WARNINGS: Record<"password" | "bearer", DoctorCheck> = {
  password: {
    id: "grant",
    check: "password grant",
    where: "-",
    verdict: "warn",
    detail: "works for this user, but fails for any user with MFA (mandatory since August 2023)",
    fix: "Use a connected app that acts on its own behalf (client credentials): set anypoint:clientId and anypoint:clientSecret and remove anypoint:username and anypoint:password",
  },
  bearer: {
    id: "grant",
    check: "access token",
    where: "-",
    verdict: "warn",
    detail: "a bearer token expires after an hour; a long `pulumi up` or a pipeline will fail with 401",
    fix: "Use a connected app with client credentials (anypoint:clientId, anypoint:clientSecret)",
  },
};

function finish(report: DoctorReport): DoctorReport {
  report.ok = !report.checks.some((check) => check.verdict === "fail");
  return report;
}

function failure(id: string, check: string, where: string, error: unknown): DoctorCheck {
  const forbidden = isAnypointError(error, "forbidden");
  return {
    id,
    check,
    where,
    verdict: "fail",
    detail: summaryOf(error),
    fix: hintOf(error) ?? (forbidden ? `Add the missing scope (${KB_FORBIDDEN})` : undefined),
  };
}

function skipped(check: string, why: string): DoctorCheck {
  return { id: "skipped", check, where: "-", verdict: "not checked", detail: why };
}

function summaryOf(error: unknown): string {
  if (isAnypointError(error)) {
    const e = error as AnypointError;
    // The last segments name the call; the ids before them are in the WHERE column.
    const call = e.method && e.path ? ` (${e.method} .../${e.path.split("/").slice(-2).join("/")})` : "";
    const answer =
      e.status !== undefined ? `${e.status}${e.serviceMessage ? ` ${e.serviceMessage}` : ""}: ` : "";
    return `${answer}${e.summary}${call}`;
  }
  return messageOf(error);
}

function hintOf(error: unknown): string | undefined {
  return isAnypointError(error) ? error.hint : undefined;
}

function grantName(kind: "clientCredentials" | "password" | "bearer"): string {
  return kind === "clientCredentials"
    ? "client credentials"
    : kind === "password"
      ? "password grant"
      : "bearer token";
}

function describeCredentials(client: AnypointClient): string {
  const credentials = client.config.credentials;
  switch (credentials.kind) {
    case "clientCredentials":
      return `connected app ${mask(credentials.clientId)} (client credentials)`;
    case "password":
      return `user ${credentials.username} through connected app ${mask(credentials.clientId)} (password grant)`;
    case "bearer":
      return "an access token";
  }
}

const MARK: Record<Verdict, string> = { ok: "ok", warn: "WARN", fail: "FAIL", "not checked": "not checked" };

export function render(report: DoctorReport): string {
  const lines = [
    `pulumi-anypoint doctor: ${report.baseUrl || "(no base URL)"}`,
    ...(report.source ? [`configuration: ${report.source}`] : []),
    ...(report.credentials ? [`credentials: ${report.credentials}`] : []),
    "",
    formatTable(
      ["CHECK", "WHERE", "VERDICT", "DETAIL"],
      report.checks.map((check) => [check.check, check.where, MARK[check.verdict], check.detail]),
    ),
  ];
  const fixes = report.checks.filter((check) => check.fix && check.verdict !== "ok");
  if (fixes.length > 0) {
    lines.push("", "What to do:");
    fixes.forEach((check, index) =>
      lines.push(`  ${index + 1}. ${check.check} (${check.where}): ${check.fix}`),
    );
  }
  const failed = report.checks.filter((check) => check.verdict === "fail").length;
  lines.push(
    "",
    failed > 0
      ? `${failed} check(s) failed: the provider cannot do everything it needs with these credentials.`
      : "Everything the provider needs is in place.",
    "",
  );
  return lines.join("\n");
}

function redactAll(client: AnypointClient, text: string): string {
  let result = client.redact(text);
  const credentials = client.config.credentials;
  const secrets =
    credentials.kind === "bearer"
      ? [credentials.accessToken]
      : credentials.kind === "password"
        ? [credentials.clientSecret, credentials.password]
        : [credentials.clientSecret];
  for (const secret of secrets) if (secret.length >= 4) result = result.split(secret).join("***");
  return result;
}
