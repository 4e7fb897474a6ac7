import * as fs from "node:fs";
import * as path from "node:path";
import YAML from "yaml";

/** MuleSoft's official specs, vendored with their licence and source (vendor/anypoint-specs/README.md). */
export const SPECS_DIR = path.join(__dirname, "..", "..", "vendor", "anypoint-specs");

export type SpecName = "access-management" | "exchange-experience" | "api-platform" | "api-manager";

export type Schema = Record<string, unknown>;

export interface Operation {
  /** The request body schema (application/json), if the spec has one. */
  requestSchema?: Schema;
  /** Response schemas by status; `example` when the spec only gives an example. */
  responses: Record<string, { schema?: Schema; example?: unknown }>;
  parameters: { name: string; in: string; required: boolean; schema?: Schema }[];
}

const documents = new Map<string, unknown>();

function load(file: string): unknown {
  let doc = documents.get(file);
  if (doc === undefined) {
    const text = fs.readFileSync(file, "utf8");
    doc = file.endsWith(".json") ? JSON.parse(text) : YAML.parse(text);
    documents.set(file, doc);
  }
  return doc;
}

function pointer(doc: unknown, fragment: string): unknown {
  if (!fragment || fragment === "/") return doc;
  return fragment
    .replace(/^\//, "")
    .split("/")
    .reduce<unknown>((node, raw) => {
      const key = decodeURIComponent(raw).replace(/~1/g, "/").replace(/~0/g, "~");
      if (node === null || typeof node !== "object" || !(key in node))
        throw new Error(`unresolvable $ref fragment ${fragment}`);
      return (node as Record<string, unknown>)[key];
    }, doc);
}

/**
 * Inlines every $ref (local `#/...` and relative files such as `schemas/x.yaml#/Y`), each
 * resolved against the file it appears in. A reference met again inside itself becomes `{}`.
 */
export function resolveRefs(node: unknown, file: string, seen: string[] = []): unknown {
  if (Array.isArray(node)) return node.map((item) => resolveRefs(item, file, seen));
  if (node === null || typeof node !== "object") return node;
  const ref = (node as { $ref?: unknown }).$ref;
  if (typeof ref === "string") {
    const [target, fragment = ""] = ref.split("#");
    const targetFile = target ? path.resolve(path.dirname(file), target) : file;
    const key = `${targetFile}#${fragment}`;
    if (seen.includes(key)) return {};
    return resolveRefs(pointer(load(targetFile), fragment), targetFile, [...seen, key]);
  }
  return Object.fromEntries(
    Object.entries(node as Record<string, unknown>).map(([name, value]) => [
      name,
      resolveRefs(value, file, seen),
    ]),
  );
}

/** One operation of a spec, with every $ref resolved. */
export function operation(spec: SpecName, route: string, method: string): Operation {
  const file = path.join(SPECS_DIR, spec, "api.yaml");
  const doc = load(file) as { paths: Record<string, Record<string, unknown>> };
  const pathItem = doc.paths[route];
  if (!pathItem) throw new Error(`${spec} has no path ${route}`);
  const resolved = resolveRefs(pathItem, file) as Record<string, Record<string, unknown>> & {
    parameters?: unknown[];
  };
  const op = resolved[method.toLowerCase()];
  if (!op) throw new Error(`${spec} has no ${method} ${route}`);
  const json = (content: unknown) =>
    (content as Record<string, { schema?: Schema; example?: unknown; examples?: Record<string, unknown> }>)?.[
      "application/json"
    ];
  const requestBody = op.requestBody as { content?: unknown } | undefined;
  const responses: Operation["responses"] = {};
  for (const [status, response] of Object.entries(
    (op.responses ?? {}) as Record<string, { content?: unknown }>,
  )) {
    const media = json(response.content);
    const firstExample = media?.examples ? Object.values(media.examples)[0] : undefined;
    responses[status] = {
      schema: media?.schema,
      example: media?.example ?? (firstExample as { value?: unknown } | undefined)?.value,
    };
  }
  const parameters = [
    ...((resolved.parameters ?? []) as unknown[]),
    ...((op.parameters ?? []) as unknown[]),
  ].map((raw) => {
    const parameter = raw as { name: string; in: string; required?: boolean; schema?: Schema };
    return {
      name: parameter.name,
      in: parameter.in,
      required: parameter.required ?? false,
      schema: parameter.schema,
    };
  });
  return { requestSchema: json(requestBody?.content)?.schema, responses, parameters };
}

/**
 * A loose schema with the types of a spec's example, for operations the spec documents only by
 * example: objects list their properties (none required), arrays take their first item's shape,
 * and a null in the example allows anything.
 */
export function schemaFromExample(example: unknown): Schema {
  if (example === null || example === undefined) return {};
  if (Array.isArray(example))
    return example.length > 0 ? { type: "array", items: schemaFromExample(example[0]) } : { type: "array" };
  switch (typeof example) {
    case "object":
      return {
        type: "object",
        properties: Object.fromEntries(
          Object.entries(example as Record<string, unknown>).map(([name, value]) => [
            name,
            schemaFromExample(value),
          ]),
        ),
      };
    case "number":
      return { type: "number" };
    case "boolean":
      return { type: "boolean" };
    default:
      return { type: "string" };
  }
}

/** Drops OpenAPI-only keywords ajv does not know, and maps `nullable` to a JSON Schema type union. */
export function toJsonSchema(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(toJsonSchema);
  if (node === null || typeof node !== "object") return node;
  const out: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(node as Record<string, unknown>)) {
    if (name === "example" || name === "examples" || name === "nullable" || name === "discriminator")
      continue;
    if (name.startsWith("x-") || name === "xml" || name === "externalDocs" || name === "deprecated") continue;
    if (name === "properties" && value && typeof value === "object") {
      out.properties = Object.fromEntries(
        Object.entries(value as Record<string, unknown>).map(([key, schema]) => [key, toJsonSchema(schema)]),
      );
      continue;
    }
    out[name] = toJsonSchema(value);
  }
  if ((node as { nullable?: boolean }).nullable === true && typeof out.type === "string")
    out.type = [out.type, "null"];
  return out;
}

/** The parts of a schema that together describe one value: itself and its allOf/anyOf/oneOf branches. */
function parts(schema: Schema | undefined): Schema[] {
  if (!schema || typeof schema !== "object") return [];
  const branches = ["allOf", "anyOf", "oneOf"].flatMap(
    (keyword) => (schema[keyword] as Schema[] | undefined) ?? [],
  );
  return [schema, ...branches.flatMap(parts)];
}

/**
 * The places in `body` (JSON pointers) holding a field that neither the schema's properties nor
 * the examples document, walked recursively: the "no more fields than the spec" check. An object
 * the spec documents with neither properties nor an example (a free-form object) is not walked.
 */
export function undocumentedFields(
  body: unknown,
  schema: Schema | undefined,
  examples: unknown[] = [],
  where = "",
): string[] {
  const schemaParts = parts(schema);
  const allExamples = [
    ...examples,
    ...schemaParts.map((part) => part.example).filter((e) => e !== undefined),
  ];
  if (Array.isArray(body)) {
    const itemSchemas = schemaParts.map((part) => part.items as Schema | undefined).filter(Boolean);
    const itemExamples = allExamples.filter(Array.isArray).flat();
    return body.flatMap((item, index) =>
      undocumentedFields(
        item,
        itemSchemas.length > 0 ? { allOf: itemSchemas } : undefined,
        itemExamples,
        `${where}/${index}`,
      ),
    );
  }
  if (body === null || typeof body !== "object") return [];
  const properties: Record<string, Schema[]> = {};
  let documented = false;
  for (const part of schemaParts) {
    if (part.properties === undefined) continue;
    documented = true;
    for (const [key, value] of Object.entries(part.properties as Record<string, Schema>))
      (properties[key] ??= []).push(value);
  }
  const exampleObjects = allExamples.filter(
    (example): example is Record<string, unknown> =>
      example !== null && typeof example === "object" && !Array.isArray(example),
  );
  if (!documented && exampleObjects.length === 0) return [];
  return Object.entries(body as Record<string, unknown>).flatMap(([key, value]) => {
    const place = `${where}/${key}`;
    const fromExamples = exampleObjects.filter((example) => key in example).map((example) => example[key]);
    if (!(key in properties) && fromExamples.length === 0) return [place];
    const childSchemas = properties[key] ?? [];
    return undocumentedFields(
      value,
      childSchemas.length > 0 ? { allOf: childSchemas } : undefined,
      fromExamples,
      place,
    );
  });
}
