/**
 * The one table of what each call needs (docs/anypoint.md section 5, as the emulator enforces it).
 * The client's 403 hints, `pulumi-anypoint doctor` and the README's "Minimum scopes" table are all
 * derived from it.
 */

/** The calls the client makes, by name; each knows the minimum scope it needs. */
export type Operation =
  | "token"
  | "request"
  | "me"
  | "listEnvironments"
  | "createApplication"
  | "getApplication"
  | "updateApplication"
  | "deleteApplication"
  | "resetApplicationSecret"
  | "listOwnApplications"
  | "listAllApplications"
  | "createContract"
  | "listApplicationContracts"
  | "changeContractTier"
  | "listApiContracts"
  | "getApiContract"
  | "setApiContractTier"
  | "deleteApiContract"
  | "approveContract"
  | "rejectContract"
  | "revokeContract"
  | "restoreContract"
  | "listApiInstances"
  | "getApiInstance"
  | "listTiers"
  | "findAssetInstances";

export type Level = "organization" | "environment" | "none";

export interface Scope {
  /** The scope name as in ARCHITECTURE.md. */
  scope: string;
  /** Anypoint's display name. */
  name: string;
  /** Where an administrator grants it. */
  level: Level;
}

const PROFILE: Scope = { scope: "profile", name: "profile", level: "none" };
const VIEW_ENVIRONMENT: Scope = {
  scope: "view:environment",
  name: "View Environment",
  level: "organization",
};
const CREATOR: Scope = {
  scope: "create:client_applications",
  name: "Application Creator",
  level: "organization",
};
const VIEW_APPS: Scope = {
  scope: "read:client_applications",
  name: "View Client Applications",
  level: "organization",
};
const MANAGE_APPS: Scope = {
  scope: "manage:client_applications",
  name: "Manage Client Applications",
  level: "organization",
};
const VIEW_APIS: Scope = {
  scope: "read:api_configuration",
  name: "View APIs Configuration",
  level: "environment",
};
const VIEW_CONTRACTS: Scope = { scope: "read:api_contracts", name: "View Contracts", level: "environment" };
const MANAGE_CONTRACTS: Scope = {
  scope: "manage:api_contracts",
  name: "Manage Contracts",
  level: "environment",
};
const EXCHANGE_VIEWER: Scope = { scope: "read:exchange", name: "Exchange Viewer", level: "organization" };
const PER_APPLICATION = "manage:client_application";

export interface Requirement {
  /** Every one of these is needed. */
  scopes: Scope[];
  /**
   * The call acts on one client application. Its creator needs nothing more (KB 001116119);
   * another identity needs the per-application scope `manage:client_application`, or for "read"
   * (without the secret) View Client Applications.
   */
  application?: "read" | "manage";
}

export const REQUIREMENTS: Record<Operation, Requirement> = {
  token: { scopes: [] },
  request: { scopes: [] },
  me: { scopes: [PROFILE] },
  listEnvironments: { scopes: [VIEW_ENVIRONMENT] },
  createApplication: { scopes: [CREATOR] },
  getApplication: { scopes: [], application: "read" },
  updateApplication: { scopes: [], application: "manage" },
  deleteApplication: { scopes: [], application: "manage" },
  resetApplicationSecret: { scopes: [], application: "manage" },
  // Answers only what the caller created: nothing to grant.
  listOwnApplications: { scopes: [] },
  // Without it the admin list answers an empty 200, not a 403 (KB 005385409).
  listAllApplications: { scopes: [VIEW_APPS] },
  createContract: { scopes: [MANAGE_CONTRACTS, EXCHANGE_VIEWER], application: "manage" },
  listApplicationContracts: { scopes: [], application: "manage" },
  changeContractTier: { scopes: [MANAGE_CONTRACTS, EXCHANGE_VIEWER], application: "manage" },
  listApiContracts: { scopes: [VIEW_CONTRACTS] },
  getApiContract: { scopes: [VIEW_CONTRACTS] },
  setApiContractTier: { scopes: [MANAGE_CONTRACTS] },
  deleteApiContract: { scopes: [MANAGE_CONTRACTS] },
  approveContract: { scopes: [MANAGE_CONTRACTS] },
  rejectContract: { scopes: [MANAGE_CONTRACTS] },
  revokeContract: { scopes: [MANAGE_CONTRACTS] },
  restoreContract: { scopes: [MANAGE_CONTRACTS] },
  listApiInstances: { scopes: [VIEW_APIS] },
  getApiInstance: { scopes: [VIEW_APIS] },
  listTiers: { scopes: [VIEW_CONTRACTS] },
  findAssetInstances: { scopes: [EXCHANGE_VIEWER] },
};

/** What the provider and the tools do, each with the calls it makes: the rows of the README's table. */
export const FEATURES: { feature: string; operations: Operation[] }[] = [
  { feature: "who am I (root organization discovery)", operations: ["me"] },
  { feature: "list environments (`doctor`, `discover`)", operations: ["listEnvironments"] },
  { feature: "create applications", operations: ["createApplication", "listOwnApplications"] },
  { feature: "read applications (`refresh`)", operations: ["getApplication"] },
  {
    feature: "update, delete, rotate the secret of applications",
    operations: ["updateApplication", "deleteApplication", "resetApplicationSecret"],
  },
  {
    feature: "list every application (`discover`; `adopt` finds by name)",
    operations: ["listAllApplications"],
  },
  {
    feature: "adopt an application another identity created",
    operations: ["listAllApplications", "getApplication", "updateApplication"],
  },
  {
    feature: "look up API instances (`getApiInstance`, contracts)",
    operations: ["listApiInstances", "getApiInstance"],
  },
  {
    feature: "read contracts and tiers (`refresh`, `getTier`)",
    // A refresh lists the application's contracts first, and reads one through API Manager when
    // that list is refused (an application another identity created): View Contracts is enough.
    operations: ["getApiContract", "listApiContracts", "listTiers"],
  },
  {
    feature: "request access (create contracts), change tiers",
    operations: ["createContract", "changeContractTier", "setApiContractTier"],
  },
  {
    feature: "approve, reject, revoke, restore, delete contracts",
    operations: [
      "approveContract",
      "rejectContract",
      "revokeContract",
      "restoreContract",
      "deleteApiContract",
    ],
  },
];

export interface CallContext {
  organizationId?: string;
  environmentId?: string;
  applicationId?: number;
  /** Whether these credentials created the application, when the client knows. */
  createdByCaller?: boolean;
}

export function requiredScopes(operation: Operation): string[] {
  return REQUIREMENTS[operation].scopes.map((entry) => entry.scope);
}

/** Every scope the operations need, once each, in the table's order. */
export function scopesFor(operations: Operation[]): Scope[] {
  const all = operations.flatMap((operation) => REQUIREMENTS[operation].scopes);
  return all.filter((scope, index) => all.findIndex((other) => other.scope === scope.scope) === index);
}

/** The strongest per-application need of these operations, if any. */
export function applicationAccess(operations: Operation[]): Requirement["application"] {
  const needs = operations.map((operation) => REQUIREMENTS[operation].application);
  return needs.includes("manage") ? "manage" : needs.includes("read") ? "read" : undefined;
}

export const describeScope = (scope: Scope): string =>
  scope.scope === scope.name ? `\`${scope.scope}\`` : `${scope.name} (\`${scope.scope}\`)`;

function place(level: Level, context: CallContext): string {
  if (level === "environment")
    return `in environment ${context.environmentId ?? "(the API's environment)"}${context.organizationId ? ` of organization ${context.organizationId}` : ""}`;
  if (level === "organization")
    return `on the ${context.organizationId ? `organization ${context.organizationId}` : "root organization"}`;
  return "";
}

/** "A and B <where>", or "A and B (A <where>, B <where>)" when they are granted in different places. */
export function grantText(scopes: Scope[], context: CallContext): string {
  const named = scopes.map((scope) => `${scope.name} (${scope.scope})`).join(" and ");
  const places = [...new Set(scopes.map((scope) => scope.level))];
  if (places.length === 1) return [named, place(places[0], context)].filter(Boolean).join(" ");
  return `${named} (${scopes.map((scope) => `${scope.name} ${place(scope.level, context)}`).join(", ")})`;
}

/** What another identity needs on top, for a call on one application. */
function applicationRemedy(requirement: Requirement, context: CallContext): string | undefined {
  if (!requirement.application || context.createdByCaller) return undefined;
  const id = context.applicationId;
  const which = id === undefined ? "the application" : `application ${id}`;
  const rule =
    "a connected app using client credentials manages only the client applications it created, " +
    `so an organization administrator must add the per-application scope ${PER_APPLICATION} for it (KB 001116119)` +
    (requirement.application === "read"
      ? `, or ${grantText([VIEW_APPS], context)} to read it without its secret`
      : "") +
    `; a user acting through the password grant needs ${grantText([MANAGE_APPS], context)}`;
  if (context.createdByCaller === false)
    return id === undefined
      ? `For an application another identity created: ${rule}`
      : `Application ${id} was created by another identity: ${rule}`;
  return `If ${which} was not created by these credentials: ${rule}`;
}

/** What a person should add after a 403 on this call. */
export function forbiddenHint(operation: Operation, context: CallContext): string {
  const requirement = REQUIREMENTS[operation];
  const parts: string[] = [];
  if (requirement.scopes.length > 0)
    parts.push(
      `The credentials lack the permission for this call: add ${grantText(requirement.scopes, context)} ` +
        "to the connected app (Access Management > Connected Apps > Scopes) (KB 001120307)",
    );
  const remedy = applicationRemedy(requirement, context);
  if (remedy) parts.push(remedy);
  if (parts.length === 0)
    parts.push(
      "The credentials lack the permission for this call: add the missing scope to the connected app (KB 001120307)",
    );
  return parts.join(". ");
}

/**
 * The calls of a deployment pipeline (examples/gitops), by connected app: `deploy` runs
 * `pulumi up --refresh` and creates what it manages; `readOnly` runs the pull-request preview (the
 * program's lookups) and the drift check (a refresh of what `deploy` created).
 */
export const PIPELINE: Record<"deploy" | "readOnly", Operation[]> = {
  deploy: [
    "createApplication",
    "listOwnApplications",
    "getApplication",
    "updateApplication",
    "deleteApplication",
    "resetApplicationSecret",
    "listApiInstances",
    "getApiInstance",
    "listTiers",
    "createContract",
    "listApplicationContracts",
    "changeContractTier",
    "getApiContract",
    "setApiContractTier",
    "approveContract",
    "rejectContract",
    "revokeContract",
    "restoreContract",
    "deleteApiContract",
  ],
  readOnly: ["listApiInstances", "getApiInstance", "listTiers", "getApplication", "getApiContract"],
};

/** The scopes a connected app needs for these calls on applications it created, or (`others`) that another identity created. */
export function scopesOfApp(operations: Operation[], on: "own" | "others"): Scope[] {
  const access = applicationAccess(operations);
  if (on === "own" || !access) return scopesFor(operations);
  if (access === "manage")
    throw new Error(`${PER_APPLICATION} is needed: no scope of the organization suffices`);
  return [...scopesFor(operations), VIEW_APPS];
}

const WHERE: Record<Level, string> = {
  none: "(always granted)",
  organization: "on the root organization",
  environment: "in each environment",
};

/** Scopes as the READMEs list them: "Name (`scope`) where + ...". */
export function renderScopes(scopes: Scope[]): string {
  return scopes.map((scope) => `${describeScope(scope)} ${WHERE[scope.level]}`).join(" + ") || "none";
}

/** The README's "Minimum scopes" table, one row per feature, as markdown cells. */
export function minimumScopeRows(): string[][] {
  const rows = FEATURES.map(({ feature, operations }) => {
    const access = applicationAccess(operations);
    const perApplication = `\`${PER_APPLICATION}\` for the application`;
    const other = !access
      ? "-"
      : access === "read"
        ? `${perApplication}, or ${describeScope(VIEW_APPS)} (reads it without its secret)`
        : perApplication;
    return [feature, renderScopes(scopesFor(operations)), other];
  });
  return [["feature", "scopes, and where", "also, for an application another identity created"], ...rows];
}
