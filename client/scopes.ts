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

interface Requirement {
  /** Scope names as in ARCHITECTURE.md, with Anypoint's display name. */
  scopes: { scope: string; name: string }[];
  level: "organization" | "environment" | "none";
  /** The call acts on one client application: the per-application remedy applies. */
  application?: boolean;
}

const CREATOR = { scope: "create:client_applications", name: "Application Creator" };
const MANAGE_APPS = { scope: "manage:client_applications", name: "Manage Client Applications" };
const VIEW_APPS = { scope: "read:client_applications", name: "View Client Applications" };
const VIEW_APIS = { scope: "read:api_configuration", name: "View APIs Configuration" };
const VIEW_CONTRACTS = { scope: "read:api_contracts", name: "View Contracts" };
const MANAGE_CONTRACTS = { scope: "manage:api_contracts", name: "Manage Contracts" };
const EXCHANGE_VIEWER = { scope: "read:exchange", name: "Exchange Viewer" };
const VIEW_ENVIRONMENT = { scope: "view:environment", name: "View Environment" };

const REQUIREMENTS: Record<Operation, Requirement> = {
  token: { scopes: [], level: "none" },
  request: { scopes: [], level: "none" },
  me: { scopes: [{ scope: "profile", name: "profile" }], level: "none" },
  listEnvironments: { scopes: [VIEW_ENVIRONMENT], level: "organization" },
  createApplication: { scopes: [CREATOR], level: "organization" },
  getApplication: { scopes: [MANAGE_APPS], level: "organization", application: true },
  updateApplication: { scopes: [MANAGE_APPS], level: "organization", application: true },
  deleteApplication: { scopes: [MANAGE_APPS], level: "organization", application: true },
  resetApplicationSecret: { scopes: [MANAGE_APPS], level: "organization", application: true },
  listOwnApplications: { scopes: [CREATOR], level: "organization" },
  listAllApplications: { scopes: [VIEW_APPS], level: "organization" },
  createContract: { scopes: [MANAGE_CONTRACTS, EXCHANGE_VIEWER], level: "environment", application: true },
  listApplicationContracts: { scopes: [MANAGE_APPS], level: "organization", application: true },
  changeContractTier: {
    scopes: [MANAGE_CONTRACTS, EXCHANGE_VIEWER],
    level: "environment",
    application: true,
  },
  listApiContracts: { scopes: [VIEW_CONTRACTS], level: "environment" },
  getApiContract: { scopes: [VIEW_CONTRACTS], level: "environment" },
  setApiContractTier: { scopes: [MANAGE_CONTRACTS], level: "environment" },
  deleteApiContract: { scopes: [MANAGE_CONTRACTS], level: "environment" },
  approveContract: { scopes: [MANAGE_CONTRACTS], level: "environment" },
  rejectContract: { scopes: [MANAGE_CONTRACTS], level: "environment" },
  revokeContract: { scopes: [MANAGE_CONTRACTS], level: "environment" },
  restoreContract: { scopes: [MANAGE_CONTRACTS], level: "environment" },
  listApiInstances: { scopes: [VIEW_APIS], level: "environment" },
  getApiInstance: { scopes: [VIEW_APIS], level: "environment" },
  listTiers: { scopes: [VIEW_CONTRACTS], level: "environment" },
  findAssetInstances: { scopes: [EXCHANGE_VIEWER], level: "organization" },
};

export interface CallContext {
  organizationId?: string;
  environmentId?: string;
  applicationId?: number;
}

export function requiredScopes(operation: Operation): string[] {
  return REQUIREMENTS[operation].scopes.map((entry) => entry.scope);
}

/** What a person should add after a 403 on this call. */
export function forbiddenHint(operation: Operation, context: CallContext): string {
  const requirement = REQUIREMENTS[operation];
  const where =
    requirement.level === "environment"
      ? `in environment ${context.environmentId ?? "(the API's environment)"}${context.organizationId ? ` of organization ${context.organizationId}` : ""}`
      : requirement.level === "organization"
        ? `on the ${context.organizationId ? `organization ${context.organizationId}` : "root organization"}`
        : "";
  const scopes = requirement.scopes.map((entry) => `${entry.name} (${entry.scope})`).join(" and ");
  const parts = [
    `The credentials lack the permission for this call: add ${scopes || "the missing scope"} ${where} to the connected app (Access Management > Connected Apps > Scopes) (KB 001120307)`.replace(
      /\s+\(KB/,
      " (KB",
    ),
  ];
  if (requirement.application) {
    parts.push(
      `A connected app using client credentials manages only the client applications it created; for application ${context.applicationId ?? ""} created by another identity, ` +
        "an organization administrator must add the per-application scope manage:client_application for it (KB 001116119)",
    );
  }
  return parts.join(". ");
}
