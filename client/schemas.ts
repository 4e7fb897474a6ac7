import { z } from "zod";

// Tolerant where Anypoint adds fields (loose objects), strict on the fields the provider uses.

const id = z.number().int();
const text = z.string().nullable().optional();

export const tokenResponse = z.looseObject({
  access_token: z.string().min(1),
  token_type: z.string().optional(),
  expires_in: z.number().optional(),
});

export const me = z.looseObject({
  client: z.looseObject({ client_id: z.string().optional(), name: z.string().optional() }).optional(),
  user: z
    .looseObject({
      id: z.string().optional(),
      username: z.string().optional(),
      organizationId: z.string().optional(),
      organization: z
        .looseObject({
          id: z.string(),
          name: z.string().optional(),
          subOrganizationIds: z.array(z.string()).optional(),
        })
        .optional(),
    })
    .optional(),
});
export type Me = z.infer<typeof me>;

export const application = z.looseObject({
  id,
  name: z.string(),
  description: text,
  url: text,
  redirectUri: z
    .array(z.string())
    .nullable()
    .optional()
    .transform((value) => value ?? []),
  grantTypes: z
    .array(z.string())
    .nullable()
    .optional()
    .transform((value) => value ?? []),
  clientId: z.string(),
  clientSecret: z.string().optional(),
  masterOrganizationId: z.string().optional(),
});
export type Application = z.infer<typeof application>;

export const adminApplication = application.extend({
  clientSecret: z
    .string()
    .nullable()
    .optional()
    .transform((value) => value ?? undefined),
  owner: z.string().nullable().optional(),
  owners: z.array(z.unknown()).nullable().optional(),
});
export type AdminApplication = z.infer<typeof adminApplication>;

export const adminApplicationList = z.looseObject({
  applications: z.array(adminApplication),
  total: z.number().int(),
});

export const tierSummary = z.looseObject({
  id,
  name: z.string().optional(),
  status: z.string().optional(),
  autoApprove: z.boolean().optional(),
});

export const exchangeContract = z.looseObject({
  id,
  status: z.string(),
  applicationId: id.optional(),
  clientId: z.string().nullable().optional(),
  tier: tierSummary.nullable().optional(),
  requestedTier: tierSummary.nullable().optional(),
  api: z
    .looseObject({ id: z.union([id, z.string()]).optional() })
    .nullable()
    .optional(),
});
export type ExchangeContract = z.infer<typeof exchangeContract>;

export const exchangeContractSummary = z.looseObject({
  id,
  status: z.string(),
  tier: tierSummary.nullable().optional(),
  requestedTier: tierSummary.nullable().optional(),
});
export type ExchangeContractSummary = z.infer<typeof exchangeContractSummary>;

export const managedContract = z.looseObject({
  id,
  status: z.string(),
  applicationId: id,
  application: z
    .looseObject({ id: id.optional(), name: z.string().optional(), clientId: z.string().optional() })
    .nullable()
    .optional(),
  tierId: id.nullable().optional(),
  tier: tierSummary.nullable().optional(),
  requestedTierId: id.nullable().optional(),
  requestedTier: tierSummary.nullable().optional(),
  apiId: id.nullable().optional(),
});
export type ManagedContract = z.infer<typeof managedContract>;

export const managedContractList = z.looseObject({
  total: z.number().int(),
  contracts: z.array(managedContract),
});

export const apiInstance = z.looseObject({
  id,
  groupId: z.string(),
  assetId: z.string(),
  assetVersion: z.string(),
  productVersion: z.string(),
  instanceLabel: z.string().nullable().optional(),
  environmentId: z.string().optional(),
  organizationId: z.string().optional(),
  deprecated: z.boolean().optional(),
  status: z.string().optional(),
});
export type ApiInstance = z.infer<typeof apiInstance> & { organizationId: string; environmentId: string };

export const apiInstancePage = z.looseObject({
  total: z.number().int(),
  assets: z.array(z.looseObject({ apis: z.array(apiInstance) })),
});

export const tier = z.looseObject({
  id,
  name: z.string(),
  description: text,
  status: z.string(),
  autoApprove: z.boolean(),
  limits: z.array(z.looseObject({})).optional().default([]),
});
export type Tier = z.infer<typeof tier>;

export const tierList = z.looseObject({ total: z.number().int().optional(), tiers: z.array(tier) });

export const assetInstances = z.array(z.looseObject({ id: z.union([id, z.string()]) }));

/** Access Management's environments of an organization: `{data:[...], total}`. */
export const environmentList = z.looseObject({
  data: z.array(
    z.looseObject({
      id: z.string(),
      name: z.string(),
      organizationId: z.string().optional(),
      type: z.string().optional(),
      isProduction: z.boolean().optional(),
    }),
  ),
  total: z.number().int().optional(),
});
export type Environment = z.infer<typeof environmentList>["data"][number];

/** Error bodies: Exchange `{status, message}`, API Manager `{error, message}` or `{errors:[{message}]}`. */
export const errorBody = z.looseObject({
  message: z.string().optional(),
  /** OAuth errors of the token endpoint: `{error, error_description}`. */
  error_description: z.string().optional(),
  error: z.union([z.string(), z.looseObject({})]).optional(),
  errors: z.array(z.looseObject({ message: z.string().optional() })).optional(),
  details: z.unknown().optional(),
});

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
