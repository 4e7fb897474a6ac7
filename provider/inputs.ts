import { z } from "zod";
import { input, inputSchema, output } from "./fields";

/** The value the engine passes for an input not known until apply (preview of dependent resources). */
export const UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";

const GRANT_TYPES = [
  "client_credentials",
  "password",
  "implicit",
  "authorization_code",
  "refresh_token",
] as const;

// Printable text without control characters; Anypoint stores names as typed.
const text = (max: number) =>
  z
    .string({ error: "must be a string" })
    .max(max, `must be at most ${max} characters`)
    // eslint-disable-next-line no-control-regex
    .refine((value) => !/[\u0000-\u001f\u007f]/.test(value), "must not contain control characters");

const httpUrl = z
  .string({ error: "must be a string" })
  .max(2048, "must be at most 2048 characters")
  .refine((value) => {
    try {
      const parsed = new URL(value);
      return parsed.protocol === "https:" || parsed.protocol === "http:";
    } catch {
      return false;
    }
  }, "must be an absolute http(s) URL");

const redirectUri = z
  .string({ error: "must be a string" })
  .max(2048, "must be at most 2048 characters")
  .refine((value) => {
    try {
      new URL(value);
      return true;
    } catch {
      return false;
    }
  }, "must be an absolute URI");

const positiveId = z
  .number({ error: "must be a number" })
  .int("must be a whole number")
  .positive("must be a positive number")
  .max(Number.MAX_SAFE_INTEGER, "is too large");

// Anypoint writes UUIDs in lowercase; one copied in uppercase names the same organization or
// environment, so it is normalised here and never shows up as a change (let alone a replace).
const uuid = z
  .string({ error: "must be a string" })
  .regex(
    /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i,
    "must be a UUID such as 7f3c2a91-4d8e-4b6a-9c1f-2e5d8a7b3c10",
  )
  .transform((value) => value.toLowerCase());

/** Whether two organization or environment ids name the same one (states written before ids were normalised may hold uppercase). */
export function sameUuid(a: string | undefined, b: string | undefined): boolean {
  return a?.toLowerCase() === b?.toLowerCase();
}

const flag = z.boolean({ error: "must be true or false" });
/** Recorded by every kind: the control plane the object lives in (absent in states written before 0.2). */
const location = { baseUrl: output(z.string().optional()) };
// What the stack records of a list Anypoint keeps: its own answer, always present.
const recordedList = z.array(z.string());

/**
 * Every field of a ClientApplication, once: what a program sets (with its rule) and what the
 * provider writes, in the order the stack records them. `shown`: an output of the class.
 */
export const clientApplicationFields = {
  name: input(
    text(255).refine((name) => name.trim().length > 0, "is required and must not be blank"),
    { shown: true },
  ),
  description: input(text(4000).optional(), { shown: true }),
  url: input(httpUrl.optional(), { shown: true }),
  redirectUris: input(
    z
      .array(redirectUri, { error: "must be a list of URIs" })
      .max(100, "must list at most 100 URIs")
      .optional(),
    { recorded: recordedList, shown: true },
  ),
  grantTypes: input(
    z.array(z.enum(GRANT_TYPES, { error: `must be one of ${GRANT_TYPES.join(", ")}` })).optional(),
    { recorded: recordedList, shown: true },
  ),
  apiEndpoints: input(flag.optional()),
  apiInstanceId: input(positiveId.optional()),
  organizationId: input(uuid.optional()),
  secretRotation: input(
    z.union([text(255), z.number()], { error: "must be a string or a number" }).optional(),
  ),
  adopt: input(flag.optional()),
  clientId: output(z.string(), { shown: true }),
  clientSecret: output(z.string(), { shown: true }),
  masterOrganizationId: output(z.string(), { shown: true }),
  ...location,
};

export const clientApplicationInputs = inputSchema(clientApplicationFields);

/**
 * Outputs that stacks written before 0.2 record and that are no longer written, because they can be
 * derived: the engine's cost of every checkpoint grows with the number of values each resource
 * records (bench/results/latest.md). The resource id (the classes derive applicationId and
 * contractId from it), the application's client id, and the API instance's asset coordinates
 * (getApiInstance answers them). A read keeps those a stack holds, so the first refresh after an
 * upgrade reports no change.
 */
export const RETIRED_OUTPUTS = {
  ClientApplication: ["applicationId"],
  ApiContract: ["contractId", "clientId", "groupId", "assetId", "assetVersion", "productVersion"],
} as const;

export type ClientApplicationInputs = z.infer<typeof clientApplicationInputs>;

/** Every field of an ApiContract, once (see clientApplicationFields). */
export const apiContractFields = {
  applicationId: input(positiveId),
  environmentId: input(uuid),
  apiInstanceId: input(positiveId),
  /** The tier in force. */
  tierId: input(positiveId.optional(), { shown: true }),
  approve: input(flag.optional()),
  acceptedTerms: input(
    flag
      .refine(
        (accepted) => accepted,
        "must be true: Anypoint refuses access requests whose terms are not accepted",
      )
      .optional(),
  ),
  organizationId: input(uuid.optional()),
  adopt: input(flag.optional()),
  status: output(z.string(), { shown: true }),
  /** The tier requested and not yet approved. */
  requestedTierId: output(z.number().optional(), { shown: true }),
  apiOrganizationId: output(z.string(), { shown: true }),
  ...location,
};

export const apiContractInputs = inputSchema(apiContractFields);

export type ApiContractInputs = z.infer<typeof apiContractInputs>;

export interface CheckFailure {
  property: string;
  reason: string;
}

/**
 * Validates the inputs a program declared. Inputs still unknown during preview are kept as they
 * are and checked again when they are known.
 */
export function validateInputs<T extends z.ZodObject>(
  schema: T,
  news: Record<string, unknown>,
  outputKeys: readonly string[],
): { inputs: z.output<T>; failures: CheckFailure[] } {
  const declared: Record<string, unknown> = {};
  const unknown: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(news)) {
    if (key === "__provider" || outputKeys.includes(key) || value === undefined || value === null) continue;
    if (containsUnknown(value)) unknown[key] = value;
    else declared[key] = value;
  }
  // Only a preview with unknown inputs needs a relaxed schema: deriving one compiles a new parser
  // (40 times the cost of the parse itself), so the common case uses the table's own schema.
  const unknownKeys = Object.keys(unknown);
  const relaxed =
    unknownKeys.length === 0
      ? schema
      : schema.partial(Object.fromEntries(unknownKeys.map((key) => [key, true])) as never);
  const parsed = relaxed.safeParse(declared);
  const failures = parsed.success
    ? []
    : parsed.error.issues.map((issue) => ({
        property: issue.path.length > 0 ? issue.path.map(String).join(".") : unknownKeyOf(issue),
        reason: describeIssue(issue, declared),
      }));
  // The schema's output, but for the fields still unknown: they keep the engine's placeholder
  // (UNKNOWN), which no field's type spells. On a failure, the inputs as declared: the engine
  // stops at the failures.
  const inputs = parsed.success ? { ...parsed.data, ...unknown } : news;
  return { inputs: inputs as z.output<T>, failures };
}

/** A provider's `check`: the program's inputs validated by `schema`; `outputKeys` are not inputs. */
export function checkInputs<T extends z.ZodObject>(schema: T, outputKeys: readonly string[]) {
  return async (_olds: unknown, news: Record<string, unknown>) => validateInputs(schema, news, outputKeys);
}

function containsUnknown(value: unknown): boolean {
  if (value === UNKNOWN) return true;
  if (Array.isArray(value)) return value.some(containsUnknown);
  return false;
}

function unknownKeyOf(issue: z.core.$ZodIssue): string {
  return issue.code === "unrecognized_keys" ? issue.keys.join(", ") : "(inputs)";
}

function describeIssue(issue: z.core.$ZodIssue, declared: Record<string, unknown>): string {
  if (issue.code === "unrecognized_keys") return `unknown input(s): ${issue.keys.join(", ")}`;
  const key = issue.path[0];
  if (issue.code === "invalid_type" && typeof key === "string" && !(key in declared)) return "is required";
  return issue.message;
}
