import * as fs from "node:fs";
import { z } from "zod";
import YAML from "yaml";

const uuid = z
  .string()
  .regex(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i, "must be a UUID");
const hex32 = z.string().regex(/^[0-9a-fA-F]{32}$/, "must be 32 hex characters");

const scopeGrant = z.union([
  z.string(),
  z.strictObject({
    scope: z.string(),
    organizationId: uuid.optional(),
    environmentId: uuid.optional(),
    applicationId: z.number().int().optional(),
  }),
]);
const tier = z.strictObject({
  id: z.number().int().positive(),
  name: z.string().min(1),
  description: z.string().optional(),
  autoApprove: z.boolean().default(false),
  status: z.enum(["ACTIVE", "DEPRECATED"]).default("ACTIVE"),
  limits: z
    .array(
      z.strictObject({
        timePeriodInMilliseconds: z.number().int().positive(),
        maximumRequests: z.number().int().positive(),
      }),
    )
    .default([{ timePeriodInMilliseconds: 60000, maximumRequests: 100 }]),
});

const seedSchema = z.strictObject({
  organizations: z.array(z.strictObject({ id: uuid, name: z.string(), parentId: uuid.optional() })).min(1),
  environments: z.array(
    z.strictObject({ id: uuid, name: z.string(), organizationId: uuid, type: z.string().default("sandbox") }),
  ),
  connectedApps: z.array(
    z.strictObject({
      clientId: hex32,
      clientSecret: hex32,
      name: z.string(),
      organizationId: uuid,
      scopes: z.array(scopeGrant),
    }),
  ),
  users: z
    .array(
      z.strictObject({
        username: z.string(),
        password: z.string(),
        organizationId: uuid,
        mfa: z.boolean().default(false),
        scopes: z.array(scopeGrant),
      }),
    )
    .default([]),
  apis: z.array(
    z.strictObject({
      id: z.number().int().positive(),
      organizationId: uuid,
      environmentId: uuid,
      groupId: z.string().optional(),
      assetId: z.string(),
      assetVersion: z.string(),
      productVersion: z.string(),
      instanceLabel: z.string().optional(),
      deprecated: z.boolean().default(false),
      tiers: z.array(tier).default([]),
    }),
  ),
  /** Applications that exist before anyone runs Pulumi; `owner` is a connected app's client id or `user:<username>`. */
  applications: z
    .array(
      z.strictObject({
        id: z.number().int().positive().optional(),
        name: z.string().min(1),
        owner: z.string(),
        description: z.string().optional(),
        url: z.string().optional(),
        redirectUri: z.array(z.string()).default([]),
        grantTypes: z.array(z.string()).default([]),
        clientId: z.string().optional(),
        clientSecret: z.string().optional(),
      }),
    )
    .default([]),
  contracts: z
    .array(
      z.strictObject({
        id: z.number().int().positive().optional(),
        applicationId: z.number().int().positive(),
        apiId: z.number().int().positive(),
        tierId: z.number().int().positive().optional(),
        status: z.enum(["APPROVED", "PENDING", "REVOKED", "REJECTED"]).default("APPROVED"),
      }),
    )
    .default([]),
  /** Where new ids start. */
  nextApplicationId: z.number().int().positive().default(2700001),
  nextContractId: z.number().int().positive().default(7340001),
});

// The seed's types are plain interfaces, so that the published declarations never import zod (zod's
// own declarations do not compile without esModuleInterop and skipLibCheck). The compiler holds the
// schema to them: a field added, dropped, made optional or retyped on one side only fails `tsc`
// here ("Type 'true' is not assignable to type 'false'").

/** A scope grant: a bare name applies everywhere; an object narrows it to an organization, environment or application. */
export type ScopeGrant =
  string | { scope: string; organizationId?: string; environmentId?: string; applicationId?: number };

type TierStatus = "ACTIVE" | "DEPRECATED";
type ContractStatus = "APPROVED" | "PENDING" | "REVOKED" | "REJECTED";
interface Limit {
  timePeriodInMilliseconds: number;
  maximumRequests: number;
}

/** A seed as written (a file, `startEmulator({ seed })`, the control surface's reset): defaults fill the optional fields. */
export interface SeedInput {
  organizations: { id: string; name: string; parentId?: string }[];
  /** `type` defaults to "sandbox". */
  environments: { id: string; name: string; organizationId: string; type?: string }[];
  connectedApps: {
    clientId: string;
    clientSecret: string;
    name: string;
    organizationId: string;
    scopes: ScopeGrant[];
  }[];
  users?: {
    username: string;
    password: string;
    organizationId: string;
    mfa?: boolean;
    scopes: ScopeGrant[];
  }[];
  apis: {
    id: number;
    organizationId: string;
    environmentId: string;
    groupId?: string;
    assetId: string;
    assetVersion: string;
    productVersion: string;
    instanceLabel?: string;
    deprecated?: boolean;
    tiers?: {
      id: number;
      name: string;
      description?: string;
      /** Default false. */
      autoApprove?: boolean;
      /** Default "ACTIVE". */
      status?: TierStatus;
      /** Default 100 requests a minute. */
      limits?: Limit[];
    }[];
  }[];
  /** Applications that exist before anyone runs Pulumi; `owner` is a connected app's client id or `user:<username>`. */
  applications?: {
    id?: number;
    name: string;
    owner: string;
    description?: string;
    url?: string;
    redirectUri?: string[];
    grantTypes?: string[];
    clientId?: string;
    clientSecret?: string;
  }[];
  /** `status` defaults to "APPROVED". */
  contracts?: {
    id?: number;
    applicationId: number;
    apiId: number;
    tierId?: number;
    status?: ContractStatus;
  }[];
  /** Where new ids start (2700001 and 7340001 by default). */
  nextApplicationId?: number;
  nextContractId?: number;
}

/** A validated seed, its defaults filled in. */
export interface Seed {
  organizations: { id: string; name: string; parentId?: string }[];
  environments: { id: string; name: string; organizationId: string; type: string }[];
  connectedApps: {
    clientId: string;
    clientSecret: string;
    name: string;
    organizationId: string;
    scopes: ScopeGrant[];
  }[];
  users: { username: string; password: string; organizationId: string; mfa: boolean; scopes: ScopeGrant[] }[];
  apis: {
    id: number;
    organizationId: string;
    environmentId: string;
    groupId?: string;
    assetId: string;
    assetVersion: string;
    productVersion: string;
    instanceLabel?: string;
    deprecated: boolean;
    tiers: {
      id: number;
      name: string;
      description?: string;
      autoApprove: boolean;
      status: TierStatus;
      limits: Limit[];
    }[];
  }[];
  applications: {
    id?: number;
    name: string;
    owner: string;
    description?: string;
    url?: string;
    redirectUri: string[];
    grantTypes: string[];
    clientId?: string;
    clientSecret?: string;
  }[];
  contracts: { id?: number; applicationId: number; apiId: number; tierId?: number; status: ContractStatus }[];
  nextApplicationId: number;
  nextContractId: number;
}

type Plain<T> = T extends readonly (infer U)[]
  ? Plain<U>[]
  : T extends object
    ? { [K in keyof T]: Plain<T[K]> }
    : T;
type Same<A, B> =
  (<X>() => X extends Plain<A> ? 1 : 2) extends <X>() => X extends Plain<B> ? 1 : 2 ? true : false;
const _seedInput: Same<z.input<typeof seedSchema>, SeedInput> = true;
const _seed: Same<z.output<typeof seedSchema>, Seed> = true;
const _scopeGrant: Same<z.output<typeof scopeGrant>, ScopeGrant> = true;

/** Validates a seed, with messages that name the field. */
export function parseSeed(raw: unknown, source = "seed"): Seed {
  const parsed = seedSchema.safeParse(raw);
  if (!parsed.success) {
    const problems = parsed.error.issues
      .slice(0, 10)
      .map((issue) => `  ${issue.path.join(".") || "(root)"}: ${issue.message}`);
    throw new Error(`${source} is not a valid emulator seed:\n${problems.join("\n")}`);
  }
  return parsed.data;
}

/** Reads a seed file, JSON or YAML (by content). */
export function loadSeedFile(file: string): Seed {
  const text = fs.readFileSync(file, "utf8");
  return parseSeed(YAML.parse(text), file);
}

const ROOT = "7f3c2a91-4d8e-4b6a-9c1f-2e5d8a7b3c10";
const GROUP = "a1b2c3d4-0000-4000-8000-00000000b001";
const SANDBOX = "5e1f7c2a-8b3d-4e6f-9a0b-1c2d3e4f5a61";
const PRODUCTION = "9d8c7b6a-5f4e-4d3c-8b2a-1f0e9d8c7b62";

export const DEMO_CREDENTIALS = {
  organizationId: ROOT,
  sandboxEnvironmentId: SANDBOX,
  productionEnvironmentId: PRODUCTION,
  clientId: "0c4e1f9a7b2d4c6e8f1a3b5c7d9e0f21",
  clientSecret: "A1b2C3d4E5f6A7b8C9d0E1f2A3b4C5d6",
} as const;

const ALL_SCOPES = [
  "profile",
  "create:client_applications",
  "read:client_applications",
  "manage:client_applications",
  "read:api_configuration",
  "read:api_contracts",
  "manage:api_contracts",
  "read:exchange",
];

const tiers = (base: number, specs: [string, boolean, ("ACTIVE" | "DEPRECATED")?][]) =>
  specs.map(([name, autoApprove, status], index) => ({
    id: base + index,
    name,
    autoApprove,
    status: status ?? "ACTIVE",
  }));

/** The built-in seed (ARCHITECTURE.md lists it). */
export function defaultSeed(): SeedInput {
  return {
    organizations: [
      { id: ROOT, name: "Acme Corp" },
      { id: GROUP, name: "Acme Payments", parentId: ROOT },
    ],
    environments: [
      { id: SANDBOX, name: "Sandbox", organizationId: ROOT, type: "sandbox" },
      { id: PRODUCTION, name: "Production", organizationId: ROOT, type: "production" },
    ],
    connectedApps: [
      {
        clientId: DEMO_CREDENTIALS.clientId,
        clientSecret: DEMO_CREDENTIALS.clientSecret,
        name: "pulumi-anypoint-demo",
        organizationId: ROOT,
        scopes: [...ALL_SCOPES],
      },
      {
        clientId: "1d5f2a0b8c3e4d7f9a2b4c6d8e0f1a32",
        clientSecret: "B2c3D4e5F6a7B8c9D0e1F2a3B4c5D6e7",
        name: "ci-readonly",
        organizationId: ROOT,
        scopes: ["profile", "create:client_applications", "read:api_configuration", "read:exchange"],
      },
    ],
    users: [
      { username: "demo-user", password: "Demo-Passw0rd!", organizationId: ROOT, scopes: [...ALL_SCOPES] },
      {
        username: "mfa-user",
        password: "Mfa-Passw0rd!",
        organizationId: ROOT,
        mfa: true,
        scopes: [...ALL_SCOPES],
      },
      {
        username: "ui-admin",
        password: "Ui-Admin-Passw0rd!",
        organizationId: ROOT,
        mfa: true,
        scopes: [...ALL_SCOPES],
      },
    ],
    apis: [
      {
        id: 18800101,
        organizationId: ROOT,
        environmentId: SANDBOX,
        assetId: "orders-api",
        assetVersion: "1.2.0",
        productVersion: "v1",
        instanceLabel: "orders-sandbox",
        tiers: tiers(5100101, [
          ["Gold", false],
          ["Silver", true],
          ["Bronze", true, "DEPRECATED"],
        ]),
      },
      {
        id: 18800102,
        organizationId: ROOT,
        environmentId: SANDBOX,
        assetId: "payments-api",
        assetVersion: "2.0.1",
        productVersion: "v2",
        instanceLabel: "payments-sandbox",
      },
      {
        id: 18800103,
        organizationId: ROOT,
        environmentId: SANDBOX,
        assetId: "customers-api",
        assetVersion: "1.0.0",
        productVersion: "v1",
        instanceLabel: "customers-sandbox",
        tiers: tiers(5100104, [
          ["Free", true],
          ["Premium", false],
        ]),
      },
      {
        id: 18800104,
        organizationId: ROOT,
        environmentId: SANDBOX,
        assetId: "legacy-api",
        assetVersion: "0.9.0",
        productVersion: "v0",
        instanceLabel: "legacy-sandbox",
        deprecated: true,
      },
      {
        id: 18800201,
        organizationId: ROOT,
        environmentId: PRODUCTION,
        assetId: "orders-api",
        assetVersion: "1.2.0",
        productVersion: "v1",
        instanceLabel: "orders-production",
        tiers: tiers(5100201, [
          ["Gold", false],
          ["Silver", true],
        ]),
      },
      {
        id: 18800202,
        organizationId: ROOT,
        environmentId: PRODUCTION,
        assetId: "payments-api",
        assetVersion: "2.0.1",
        productVersion: "v2",
        instanceLabel: "payments-production",
      },
      {
        id: 18800203,
        organizationId: ROOT,
        environmentId: PRODUCTION,
        assetId: "customers-api",
        assetVersion: "1.0.0",
        productVersion: "v1",
        instanceLabel: "customers-production",
        tiers: tiers(5100203, [
          ["Free", true],
          ["Premium", false],
        ]),
      },
    ],
    applications: [
      {
        id: 2690001,
        name: "legacy-mobile-app",
        owner: "user:ui-admin",
        description: "Created by hand in the UI",
        clientId: "5a6b7c8d9e0f1a2b3c4d5e6f7a8b9c0d",
        clientSecret: "C3d4E5f6A7b8C9d0E1f2A3b4C5d6E7f8",
      },
    ],
    contracts: [
      { id: 7330001, applicationId: 2690001, apiId: 18800101, tierId: 5100102, status: "APPROVED" },
    ],
  };
}
