import { parseDocument } from "yaml";
import { z } from "zod";

const GRANT_TYPES = [
  "client_credentials",
  "password",
  "implicit",
  "authorization_code",
  "refresh_token",
] as const;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

const access = z.strictObject({
  /** The API's Exchange asset id, e.g. `orders-api`. */
  assetId: z.string().min(1),
  /** The API's version group (API Manager's product version), e.g. `v1`. */
  versionGroup: z.string().min(1),
  /** A name defined under `environments`. */
  environment: z.string().min(1),
  /** SLA tier name; required when the API instance has tiers. */
  tier: z.string().min(1).optional(),
  /** Approve the contract as the API owner when the tier needs approval. */
  approve: z.boolean().default(false),
});

const consumer = z.strictObject({
  /** The client application's name, unique in the organization. */
  name: z.string().min(1).max(128),
  description: z.string().optional(),
  /** Who to ask about this consumer; recorded in the application's description. */
  owner: z.string().min(1).optional(),
  url: z.url({ protocol: /^https?$/ }).optional(),
  redirectUris: z.array(z.url()).default([]),
  grantTypes: z.array(z.enum(GRANT_TYPES)).default([]),
  access: z.array(access).default([]),
});

const catalog = z
  .strictObject({
    environments: z.record(z.string().min(1), z.string().regex(UUID, "must be an environment id (a UUID)")),
    consumers: z.array(consumer),
  })
  .superRefine((file, ctx) => {
    const known = Object.keys(file.environments);
    const names = new Map<string, number>();
    file.consumers.forEach((c, i) => {
      const first = names.get(c.name);
      if (first !== undefined) {
        ctx.addIssue({
          code: "custom",
          path: ["consumers", i, "name"],
          message: `"${c.name}" is already used by consumers[${first}]; application names are unique`,
        });
      } else {
        names.set(c.name, i);
      }
      const apis = new Map<string, number>();
      c.access.forEach((a, j) => {
        if (!known.includes(a.environment)) {
          ctx.addIssue({
            code: "custom",
            path: ["consumers", i, "access", j, "environment"],
            message: `unknown environment "${a.environment}"; the file defines ${known.join(", ") || "none"}`,
          });
        }
        const key = `${a.environment}/${a.assetId}/${a.versionGroup}`;
        const earlier = apis.get(key);
        if (earlier !== undefined) {
          ctx.addIssue({
            code: "custom",
            path: ["consumers", i, "access", j],
            message: `${a.assetId} ${a.versionGroup} in ${a.environment} is already listed at access[${earlier}]; an application has one contract per API instance`,
          });
        } else {
          apis.set(key, j);
        }
        if (a.approve && a.tier === undefined) {
          ctx.addIssue({
            code: "custom",
            path: ["consumers", i, "access", j, "approve"],
            message: "approve applies to a tier that needs approval; name the tier",
          });
        }
      });
    });
  });

export type Catalog = z.infer<typeof catalog>;
export type Consumer = Catalog["consumers"][number];
export type Access = Consumer["access"][number];

/** A consumers file that cannot be used; the message lists every problem with its location. */
export class ConsumersFileError extends Error {
  constructor(
    readonly source: string,
    readonly problems: string[],
  ) {
    super(`${source} is not valid:\n${problems.map((p) => `  - ${p}`).join("\n")}`);
    this.name = "ConsumersFileError";
  }
}

/** Parses and validates a consumers file (YAML, or JSON, which is YAML too). */
export function parseConsumers(text: string, source: string): Catalog {
  const document = parseDocument(text, { prettyErrors: true, uniqueKeys: true });
  if (document.errors.length > 0) {
    throw new ConsumersFileError(
      source,
      document.errors.map((error) => `not valid YAML: ${error.message.split("\n")[0]}`),
    );
  }
  const result = catalog.safeParse(document.toJS());
  if (!result.success) {
    throw new ConsumersFileError(
      source,
      result.error.issues.map((issue) => `${location(issue.path) || "(top level)"}: ${issue.message}`),
    );
  }
  return result.data;
}

function location(path: PropertyKey[]): string {
  return path
    .map((part, index) =>
      typeof part === "number" ? `[${part}]` : `${index === 0 ? "" : "."}${String(part)}`,
    )
    .join("");
}
