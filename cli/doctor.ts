import {
  type AdminApplication,
  AnypointClient,
  type AnypointError,
  type ApiInstance,
  type Application,
  type Environment,
  isAnypointError,
} from "../client";
import { type CommandIo, parseArgs, processIo, UsageError } from "./args";
import { CONNECTION_OPTIONS, resolveCliConfig } from "./cliConfig";
import { formatTable, mask } from "./table";

/**
 * `pulumi-anypoint doctor`: checks that the configured credentials can make every call the
 * provider makes, and names the scope to add where they cannot.
 *
 * Probes never change anything. Reads are simply made. A write capability is probed with a
 * request that cannot change anything whatever the answer:
 * - creating applications: a create with an invalid body (empty name). Anypoint checks the
 *   permission first (403), then the body (400): a 400 means the permission is there. If a
 *   service validated the body first, the 400 would prove nothing; the detail says "inferred".
 * - approving, revoking and deleting contracts: an approve of contract id 0, which cannot exist,
 *   on a real API instance. The permission is checked before the contract is looked up (403),
 *   so a 404 means Manage Contracts is there.
 * - requesting access (creating a contract) needs Manage Contracts (probed above) and Exchange
 *   Viewer (a read of the instance's asset in Exchange); it is inferred from the two.
 * Anything that cannot be told without writing is reported "not checked", never guessed.
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

const KB_PER_APP = "KB 001116119";
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
        fix: "Set anypoint:clientId and anypoint:clientSecret in the stack (pulumi config set --secret anypoint:clientSecret ...), or ANYPOINT_CLIENT_ID and ANYPOINT_CLIENT_SECRET",
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

  // ---- the token ----
  const kind = client.config.credentials.kind;
  try {
    await client.authenticate();
    add({ id: "token", check: "token", where: "-", verdict: "ok", detail: `issued (${grantName(kind)})` });
  } catch (error) {
    add({
      id: "token",
      check: "token",
      where: "-",
      verdict: "fail",
      detail: summaryOf(error),
      fix: hintOf(error) ?? "Check the credentials",
    });
    add(skipped("everything else", "no token"));
    return finish(report);
  }
  if (kind === "password") {
    add({
      id: "grant",
      check: "password grant",
      where: "-",
      verdict: "warn",
      detail: "works for this user, but fails for any user with MFA (mandatory since August 2023)",
      fix: "Use a connected app that acts on its own behalf (client credentials): set anypoint:clientId and anypoint:clientSecret and remove anypoint:username and anypoint:password",
    });
  } else if (kind === "bearer") {
    add({
      id: "grant",
      check: "access token",
      where: "-",
      verdict: "warn",
      detail: "a bearer token expires after an hour; a long `pulumi up` or a pipeline will fail with 401",
      fix: "Use a connected app with client credentials (anypoint:clientId, anypoint:clientSecret)",
    });
  }

  // ---- identity and root organization ----
  let orgId: string;
  try {
    const me = await client.me();
    const org = me.user?.organization;
    orgId = org?.id ?? me.user?.organizationId ?? (await client.rootOrganizationId());
    report.organization = { id: orgId, name: org?.name };
    const who = me.user?.username ?? me.client?.name ?? "?";
    add({
      id: "organization",
      check: "root organization",
      where: "-",
      verdict: "ok",
      detail: `${org?.name ?? "(unnamed)"} ${orgId}, as ${kind === "password" ? "user" : "connected app"} ${who}`,
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

  // ---- environments ----
  let environments: { id: string; name: string }[] = [];
  try {
    const all: Environment[] = await client.listEnvironments(orgId);
    const unknown = environmentFilter.filter((id) => !all.some((env) => env.id === id));
    environments =
      environmentFilter.length > 0 ? all.filter((env) => environmentFilter.includes(env.id)) : all;
    add({
      id: "environments",
      check: "environments",
      where: "organization",
      verdict: unknown.length > 0 ? "fail" : all.length === 0 ? "warn" : "ok",
      detail:
        unknown.length > 0
          ? `not in organization ${orgId}: ${unknown.join(", ")}`
          : all.map((env) => `${env.name} ${env.id}`).join(", ") || "none visible",
      ...(unknown.length > 0
        ? {
            fix: `Use environment ids of organization ${orgId}: ${all.map((env) => `${env.name} ${env.id}`).join(", ")}`,
          }
        : {}),
    });
  } catch (error) {
    add(failure("environments", "environments", "organization", error));
    environments = environmentFilter.map((id) => ({ id, name: "?" }));
  }
  report.environments = environments;

  // ---- client applications ----
  await applicationChecks(client, orgId, add);

  // ---- per environment: API instances, tiers, contracts ----
  let exchangeChecked = false;
  for (const env of environments) {
    const where = `${env.name} ${env.id}`;
    let instances: ApiInstance[] | undefined;
    try {
      instances = await client.listApiInstances(orgId, env.id);
      add({
        id: "environment.apis",
        check: "list API instances",
        where,
        verdict: "ok",
        detail: `${instances.length} instance(s)`,
      });
    } catch (error) {
      add(failure("environment.apis", "list API instances", where, error));
    }
    const probe = instances?.find((api) => !api.deprecated) ?? instances?.[0];
    if (!probe) {
      const why = instances
        ? "no API instance in this environment to probe"
        : "API instances could not be listed";
      for (const [id, name] of [
        ["environment.tiers", "list tiers"],
        ["environment.contracts.read", "read contracts"],
        ["environment.contracts.manage", "approve/revoke/delete contracts"],
        ["environment.contracts.create", "request access (create contracts)"],
      ]) {
        add({ id, check: name, where, verdict: "not checked", detail: why });
      }
      continue;
    }
    try {
      const tiers = await client.listTiers(orgId, env.id, probe.id);
      add({
        id: "environment.tiers",
        check: "list tiers",
        where,
        verdict: "ok",
        detail: `instance ${probe.id}: ${tiers.length} tier(s)`,
      });
    } catch (error) {
      add(failure("environment.tiers", "list tiers", where, error));
    }
    try {
      const contracts = await client.listApiContracts(orgId, env.id, probe.id);
      add({
        id: "environment.contracts.read",
        check: "read contracts",
        where,
        verdict: "ok",
        detail: `instance ${probe.id}: ${contracts.length} contract(s)`,
      });
    } catch (error) {
      add(failure("environment.contracts.read", "read contracts", where, error));
    }
    let manage: Verdict = "not checked";
    try {
      await client.approveContract(orgId, env.id, probe.id, 0);
      add({
        id: "environment.contracts.manage",
        check: "approve/revoke/delete contracts",
        where,
        verdict: "warn",
        detail: "the probe (approve contract 0, which cannot exist) was accepted; the answer proves nothing",
      });
    } catch (error) {
      if (isAnypointError(error, "not_found")) {
        manage = "ok";
        add({
          id: "environment.contracts.manage",
          check: "approve/revoke/delete contracts",
          where,
          verdict: "ok",
          detail: "probe: approving a contract that does not exist answered 404, not 403",
        });
      } else if (isAnypointError(error, "forbidden")) {
        manage = "fail";
        add(failure("environment.contracts.manage", "approve/revoke/delete contracts", where, error));
      } else {
        add({
          id: "environment.contracts.manage",
          check: "approve/revoke/delete contracts",
          where,
          verdict: "not checked",
          detail: `the probe answered ${summaryOf(error)}`,
        });
      }
    }
    // Exchange Viewer is granted on the organization: probe it once, on the first instance seen.
    let exchange: Verdict = "not checked";
    let exchangeError: unknown;
    try {
      await client.findAssetInstances(probe.groupId, probe.assetId, probe.productVersion);
      exchange = "ok";
    } catch (error) {
      exchange = isAnypointError(error, "forbidden") ? "fail" : "not checked";
      exchangeError = error;
    }
    if (!exchangeChecked) {
      exchangeChecked = true;
      if (exchange === "fail")
        add(failure("exchange", "Exchange asset lookup", "organization", exchangeError));
      else
        add({
          id: "exchange",
          check: "Exchange asset lookup",
          where: "organization",
          verdict: exchange,
          detail: exchange === "ok" ? `${probe.assetId} ${probe.productVersion}` : summaryOf(exchangeError),
        });
    }
    const create: Verdict =
      manage === "fail" || exchange === "fail"
        ? "fail"
        : manage === "ok" && exchange === "ok"
          ? "ok"
          : "not checked";
    add({
      id: "environment.contracts.create",
      check: "request access (create contracts)",
      where,
      verdict: create,
      detail:
        create === "ok"
          ? "inferred: Manage Contracts here and Exchange Viewer on the organization"
          : create === "fail"
            ? `needs Manage Contracts here${exchange === "fail" ? " and Exchange Viewer on the organization" : ""}`
            : "Manage Contracts or Exchange Viewer could not be probed",
      ...(create === "fail"
        ? {
            fix: [
              manage === "fail" ? `Add Manage Contracts (manage:api_contracts) in environment ${env.id}` : "",
              exchange === "fail" ? `Add Exchange Viewer (read:exchange) on the organization ${orgId}` : "",
            ]
              .filter(Boolean)
              .join("; ")
              .concat(` (${KB_FORBIDDEN})`),
          }
        : {}),
    });
  }
  return finish(report);
}

async function applicationChecks(client: AnypointClient, orgId: string, add: (check: DoctorCheck) => void) {
  // Creating: an invalid body, refused for validation (400) only once the permission check passed.
  try {
    await client.createApplication(orgId, { name: "", grantTypes: ["(doctor probe: invalid on purpose)"] });
    add({
      id: "applications.create",
      check: "create applications",
      where: "organization",
      verdict: "warn",
      detail:
        "the probe (a create with an empty name) was accepted; report this, it should have been refused",
    });
  } catch (error) {
    if (isAnypointError(error, "bad_request")) {
      add({
        id: "applications.create",
        check: "create applications",
        where: "organization",
        verdict: "ok",
        detail: "probe: a create with an empty name was refused as invalid (400), not forbidden (403)",
      });
    } else if (isAnypointError(error, "forbidden")) {
      add(failure("applications.create", "create applications", "organization", error));
    } else {
      add({
        id: "applications.create",
        check: "create applications",
        where: "organization",
        verdict: "not checked",
        detail: `the probe answered ${summaryOf(error)}`,
      });
    }
  }

  let own: Application[] | undefined;
  try {
    own = await client.listOwnApplications(orgId);
    add({
      id: "applications.listOwn",
      check: "list own applications",
      where: "organization",
      verdict: "ok",
      detail: `${own.length} created by these credentials`,
    });
  } catch (error) {
    add(failure("applications.listOwn", "list own applications", "organization", error));
  }

  let all: AdminApplication[] | undefined;
  try {
    all = (await client.listAllApplications(orgId)).applications;
  } catch (error) {
    add(failure("applications.listAll", "list all applications", "organization", error));
  }
  const listFix =
    `Add View Client Applications (read:client_applications) on the root organization ${orgId} to the connected app; ` +
    `without it Anypoint answers the admin list with an empty 200 instead of a 403 (${KB_EMPTY_LIST}). adopt and discover need it`;
  if (all) {
    const ownIds = new Set((own ?? []).map((app) => app.id));
    const missing = (own ?? []).filter((app) => !all!.some((listed) => listed.id === app.id));
    if (missing.length > 0) {
      add({
        id: "applications.listAll",
        check: "list all applications",
        where: "organization",
        verdict: "fail",
        detail: `empty-200 trap: the admin list returned ${all.length}, missing ${missing.length} of the ${ownIds.size} these credentials created (e.g. ${missing[0].name})`,
        fix: listFix,
      });
    } else if (all.length === 0) {
      add({
        id: "applications.listAll",
        check: "list all applications",
        where: "organization",
        verdict: "not checked",
        detail:
          "the admin list is empty and these credentials created none: an empty organization looks the same as the empty-200 trap",
        fix: `If the organization has client applications: ${listFix}`,
      });
    } else {
      add({
        id: "applications.listAll",
        check: "list all applications",
        where: "organization",
        verdict: "ok",
        detail: `${all.length} application(s), including ${ownIds.size} created by these credentials`,
      });
    }
  }

  // Reading with secrets, and applications created by another identity.
  const mine = own?.[0];
  if (mine) {
    try {
      const app = await client.getApplication(orgId, mine.id);
      add({
        id: "applications.read",
        check: "read applications with secrets",
        where: "organization",
        verdict: app.clientSecret ? "ok" : "fail",
        detail: app.clientSecret
          ? `${app.name} (${app.id}) read with its secret`
          : `${app.name} (${app.id}) came back without its secret`,
        ...(app.clientSecret
          ? {}
          : {
              fix: `Add Manage Client Applications (manage:client_applications) on the root organization ${orgId}`,
            }),
      });
    } catch (error) {
      add(failure("applications.read", "read applications with secrets", "organization", error));
    }
  }
  const others = (all ?? []).filter((app) => !(own ?? []).some((mineApp) => mineApp.id === app.id));
  if (!mine && others.length === 0) {
    add({
      id: "applications.read",
      check: "read applications with secrets",
      where: "organization",
      verdict: "not checked",
      detail: "no application to read; the creator of an application can always read it",
    });
  }
  if (others.length === 0) {
    if (all)
      add({
        id: "applications.others",
        check: "applications created by others",
        where: "organization",
        verdict: all.length > 0 ? "ok" : "not checked",
        detail: all.length > 0 ? "none" : "the admin list is empty",
      });
    return;
  }
  const results = await Promise.all(
    others.map(async (app) => {
      try {
        const full = await client.getApplication(orgId, app.id);
        return { app, manageable: Boolean(full.clientSecret) };
      } catch (error) {
        if (isAnypointError(error, "forbidden")) return { app, manageable: false };
        return { app, manageable: false, error };
      }
    }),
  );
  const blocked = results.filter((result) => !result.manageable);
  const manageable = results.length - blocked.length;
  if (!mine) {
    add({
      id: "applications.read",
      check: "read applications with secrets",
      where: "organization",
      verdict: manageable > 0 ? "ok" : "not checked",
      detail:
        manageable > 0
          ? `${manageable} application(s) created by others read with their secrets`
          : "these credentials created no application; the creator of an application can always read it",
    });
  }
  const names = blocked
    .slice(0, 10)
    .map(({ app }) => `${app.name} (${app.id}${app.owner ? `, created by ${app.owner}` : ""})`)
    .join(", ");
  add({
    id: "applications.others",
    check: "applications created by others",
    where: "organization",
    verdict: blocked.length > 0 ? "warn" : "ok",
    detail:
      blocked.length > 0
        ? `cannot manage ${blocked.length} of ${results.length}: ${names}${blocked.length > 10 ? ", ..." : ""}`
        : `can manage all ${results.length}`,
    ...(blocked.length > 0
      ? {
          fix:
            "A connected app using client credentials manages only the applications it created. To manage (or adopt) these, " +
            `an organization administrator adds the per-application scope manage:client_application for each of them to the connected app (${KB_PER_APP}); ` +
            "or leave them to the identity that created them",
        }
      : {}),
  });
}

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

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
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
