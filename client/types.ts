// The shapes the client answers with and accepts, as plain TypeScript. The published declarations
// name only these, never a zod type: zod's own declarations do not compile in a project without
// esModuleInterop and skipLibCheck (Pulumi's TypeScript template). schemas.ts validates the answers
// with zod and holds each schema to its interface here at compile time, so the two cannot drift.
//
// Answers are loose: Anypoint adds fields, which pass through (the index signatures).

/** `/accounts/api/me`: the caller, a connected app (`client`) or a user (`user`). */
export interface Me {
  client?: { client_id?: string; name?: string; [key: string]: unknown };
  user?: {
    id?: string;
    username?: string;
    organizationId?: string;
    organization?: { id: string; name?: string; subOrganizationIds?: string[]; [key: string]: unknown };
    [key: string]: unknown;
  };
  [key: string]: unknown;
}

/**
 * An item of Exchange's own-application list (schema and example `ClientApplications`): no client
 * id, no secret, no url. Read the application itself to learn its credentials.
 */
export interface ApplicationListItem {
  id: number;
  name: string;
  description?: string | null;
  /** Empty when Anypoint answers null or nothing. */
  redirectUri: string[];
  /** Empty when Anypoint answers null or nothing. */
  grantTypes: string[];
  masterOrganizationId?: string;
  [key: string]: unknown;
}

/** One application as Exchange's get, create and patch answer it (example `ClientApplication`). */
export interface Application extends ApplicationListItem {
  url?: string | null;
  clientId: string;
  clientSecret?: string;
}

/** An application of the API Platform repository's admin list (every application of the organization). */
export interface AdminApplication extends Application {
  /** Undefined when the list withholds it (null on the wire). */
  clientSecret: string | undefined;
  owner?: string | null;
  owners?: unknown[] | null;
}

/** The tier a contract is on, or asks for, as contracts embed it. */
export interface TierSummary {
  id: number;
  name?: string;
  status?: string;
  autoApprove?: boolean;
  [key: string]: unknown;
}

/** Exchange's contract, as its create answers it. */
export interface ExchangeContract {
  id: number;
  status: string;
  applicationId?: number;
  clientId?: string | null;
  tier?: TierSummary | null;
  requestedTier?: TierSummary | null;
  api?: { id?: number | string; [key: string]: unknown } | null;
  [key: string]: unknown;
}

/** An item of Exchange's list of an application's contracts. */
export interface ExchangeContractSummary {
  id: number;
  status: string;
  tier?: TierSummary | null;
  requestedTier?: TierSummary | null;
  [key: string]: unknown;
}

/** API Manager's contract: the application's client id is `application.coreServicesId` (responses/contracts.yaml). */
export interface ManagedContract {
  id: number;
  status: string;
  applicationId: number;
  application?: { id?: number; name?: string; coreServicesId?: string; [key: string]: unknown } | null;
  tierId?: number | null;
  tier?: TierSummary | null;
  requestedTierId?: number | null;
  requestedTier?: TierSummary | null;
  apiId?: number | null;
  [key: string]: unknown;
}

/** An SLA tier of an API instance. */
export interface Tier {
  id: number;
  name: string;
  description?: string | null;
  status: string;
  autoApprove: boolean;
  /** Empty when Anypoint answers none. */
  limits: { [key: string]: unknown }[];
  [key: string]: unknown;
}

/** An environment of an organization (Access Management). */
export interface Environment {
  id: string;
  name: string;
  organizationId?: string;
  type?: string;
  isProduction?: boolean;
  [key: string]: unknown;
}

/** An API instance of API Manager, with the groupId and assetId of its asset. */
export interface ApiInstance {
  id: number;
  groupId: string;
  assetId: string;
  assetVersion: string;
  productVersion: string;
  instanceLabel?: string | null;
  organizationId: string;
  environmentId: string;
  deprecated?: boolean;
}

export interface ApplicationInput {
  name: string;
  description?: string;
  url?: string;
  redirectUri?: string[];
  grantTypes?: string[];
  apiEndpoints?: boolean;
}

/** Exchange v2 `CreateContractV2` for an API instance. */
export interface CreateContractRequest {
  acceptedTerms: boolean;
  instanceType: "api";
  organizationId: string;
  groupId: string;
  assetId: string;
  version: string;
  versionGroup: string;
  apiId: number | string;
  environmentId: string;
  requestedTierId?: number;
}
