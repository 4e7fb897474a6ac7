import { z } from "zod";
import type {
  AdminApplication,
  Application,
  ApplicationListItem,
  Environment,
  ExchangeContract,
  ExchangeContractSummary,
  ManagedContract,
  Me,
  Tier,
} from "./types";

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

const uris = z
  .array(z.string())
  .nullable()
  .optional()
  .transform((value) => value ?? []);

/**
 * An item of Exchange's own-application list (schema and example `ClientApplications`): no client
 * id, no secret, no url. Read the application itself to learn its credentials.
 */
export const applicationListItem = z.looseObject({
  id,
  name: z.string(),
  description: text,
  redirectUri: uris,
  grantTypes: uris,
  masterOrganizationId: z.string().optional(),
});

/** One application as Exchange's get, create and patch answer it (example `ClientApplication`). */
export const application = applicationListItem.extend({
  url: text,
  clientId: z.string(),
  clientSecret: z.string().optional(),
});

export const adminApplication = application.extend({
  clientSecret: z
    .string()
    .nullable()
    .optional()
    .transform((value) => value ?? undefined),
  owner: z.string().nullable().optional(),
  owners: z.array(z.unknown()).nullable().optional(),
});

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

export const exchangeContractSummary = z.looseObject({
  id,
  status: z.string(),
  tier: tierSummary.nullable().optional(),
  requestedTier: tierSummary.nullable().optional(),
});

/** API Manager's contract: the application's client id is `application.coreServicesId` (responses/contracts.yaml). */
export const managedContract = z.looseObject({
  id,
  status: z.string(),
  applicationId: id,
  application: z
    .looseObject({ id: id.optional(), name: z.string().optional(), coreServicesId: z.string().optional() })
    .nullable()
    .optional(),
  tierId: id.nullable().optional(),
  tier: tierSummary.nullable().optional(),
  requestedTierId: id.nullable().optional(),
  requestedTier: tierSummary.nullable().optional(),
  apiId: id.nullable().optional(),
});

export const managedContractList = z.looseObject({
  total: z.number().int(),
  contracts: z.array(managedContract),
});

/** What API Manager says of an API instance, in its list and alone, besides the instance id. */
const apiInstanceFields = {
  instanceLabel: z.string().nullable().optional(),
  assetVersion: z.string(),
  productVersion: z.string(),
  environmentId: z.string().optional(),
  organizationId: z.string().optional(),
  deprecated: z.boolean().optional(),
};

/** An item of API Manager's instance list; the asset around it names its groupId and assetId. */
const apiInstanceItem = z.looseObject({ id, ...apiInstanceFields });

export const apiInstancePage = z.looseObject({
  total: z.number().int(),
  assets: z.array(
    z.looseObject({ groupId: z.string(), assetId: z.string(), apis: z.array(apiInstanceItem) }),
  ),
});

/**
 * API Manager's single instance (getEnvironmentApi.yaml): the instance id is `apiId`, and the
 * answer names no groupId or assetId.
 */
export const environmentApi = z.looseObject({ apiId: id, ...apiInstanceFields });

export const tier = z.looseObject({
  id,
  name: z.string(),
  description: text,
  status: z.string(),
  autoApprove: z.boolean(),
  limits: z.array(z.looseObject({})).optional().default([]),
});

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

/** Error bodies: Exchange `{status, message}`, API Manager `{error, message}` or `{errors:[{message}]}`. */
export const errorBody = z.looseObject({
  message: z.string().optional(),
  /** OAuth errors of the token endpoint: `{error, error_description}`. */
  error_description: z.string().optional(),
  error: z.union([z.string(), z.looseObject({})]).optional(),
  errors: z.array(z.looseObject({ message: z.string().optional() })).optional(),
  details: z.unknown().optional(),
});

// Each schema answers exactly its public interface (types.ts), checked by the compiler: a field
// added, dropped, made optional or retyped on one side only fails `tsc` on the line of that schema
// ("Type 'true' is not assignable to type 'false'"). Plain<> spells both as plain object types, so
// zod's intersections and the interfaces' `extends` compare as the same thing.
type Plain<T> = T extends readonly (infer U)[]
  ? Plain<U>[]
  : T extends object
    ? { [K in keyof T]: Plain<T[K]> }
    : T;
type Agrees<Schema extends z.ZodType, Declared> =
  (<X>() => X extends Plain<z.output<Schema>> ? 1 : 2) extends <X>() => X extends Plain<Declared> ? 1 : 2
    ? true
    : false;

const _me: Agrees<typeof me, Me> = true;
const _applicationListItem: Agrees<typeof applicationListItem, ApplicationListItem> = true;
const _application: Agrees<typeof application, Application> = true;
const _adminApplication: Agrees<typeof adminApplication, AdminApplication> = true;
const _exchangeContract: Agrees<typeof exchangeContract, ExchangeContract> = true;
const _exchangeContractSummary: Agrees<typeof exchangeContractSummary, ExchangeContractSummary> = true;
const _managedContract: Agrees<typeof managedContract, ManagedContract> = true;
const _tier: Agrees<typeof tier, Tier> = true;
const _environment: Agrees<typeof environmentList.shape.data.element, Environment> = true;
