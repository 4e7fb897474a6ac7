import Ajv, { type ErrorObject } from "ajv";
import addFormats from "ajv-formats";
import {
  operation,
  type Schema,
  schemaFromExample,
  type SpecName,
  toJsonSchema,
  undocumentedFields,
} from "./openapi";
import {
  API,
  type Answer,
  amApis,
  amContracts,
  ASSETS,
  contractRequest,
  E2,
  FULL,
  LEGACY_APP,
  LEGACY_CONTRACT,
  R2,
  ROOT,
  type Session,
  start,
  TIER,
  xapiContract,
} from "./support";

/*
 * Conformance: every endpoint the emulator serves answers what MuleSoft's official specs
 * (vendor/anypoint-specs) describe, with no field they do not document, and refuses requests the
 * specs' request schemas forbid. Every exception below is a guess explained in docs/anypoint.md
 * section 9 (the one list of them).
 */

/** The R2 admin view of an application: a guess (docs/anypoint.md sections 2 and 9). */
const R2_APPLICATION: Schema = {
  type: "object",
  required: ["id", "name", "clientId", "coreServicesId", "masterOrganizationId", "audit", "owner", "owners"],
  properties: {
    audit: {
      type: "object",
      properties: {
        created: { type: "object", properties: { date: { type: "string", format: "date-time" } } },
        updated: { type: "object", properties: { date: { type: "string", format: "date-time" } } },
      },
    },
    masterOrganizationId: { type: "string", format: "uuid" },
    id: { type: "integer" },
    name: { type: "string" },
    description: { type: ["string", "null"] },
    coreServicesId: { type: "string", pattern: "^[0-9a-f]{32}$" },
    url: { type: ["string", "null"] },
    clientId: { type: "string", pattern: "^[0-9a-f]{32}$" },
    redirectUri: { type: "array", items: { type: "string" } },
    grantTypes: { type: "array", items: { type: "string" } },
    owner: { type: "string" },
    email: { type: ["string", "null"] },
    owners: {
      type: "array",
      items: { type: "object", properties: { id: { type: "string" }, username: { type: "string" } } },
    },
  },
};

/** Where an operation's spec gives no usable response schema, what the response is checked against instead. */
const SUBSTITUTE_SCHEMAS: Record<string, { schema: Schema; why: string }> = {
  "POST /accounts/api/v2/oauth2/token": {
    why: "the spec documents a 200 without a body; docs/anypoint.md section 1 gives {access_token, token_type:'bearer', expires_in}",
    schema: {
      type: "object",
      required: ["access_token", "token_type", "expires_in"],
      properties: {
        access_token: { type: "string", minLength: 1 },
        token_type: { const: "bearer" },
        expires_in: { type: "integer" },
      },
      additionalProperties: false,
    },
  },
  "GET R2 applications": {
    why: "the API Platform spec documents the admin list without a body; docs/anypoint.md section 2 gives {applications, total} and section 9 the item",
    schema: {
      type: "object",
      required: ["applications", "total"],
      properties: {
        total: { type: "integer" },
        applications: { type: "array", items: R2_APPLICATION },
      },
    },
  },
  "GET R2 application": {
    why: "the API Platform spec documents the admin get without a body; docs/anypoint.md section 9: the R2 item shape",
    schema: R2_APPLICATION,
  },
  "GET AM contract": {
    why: "the API Manager spec reuses the list's {total, contracts} schema for one contract; the service answers the contract itself (docs/anypoint.md section 3), checked against the spec's contract item",
    schema: {},
  },
  "POST XAPI contract action": {
    why: "the XAPI approve/reject/revoke/restore endpoints are in none of the specs; they answer the full contract (docs/anypoint.md section 3), checked against API Manager's PATCH contract response",
    schema: {},
  },
};

/** What docs/anypoint.md section 1 says a client reads from /me; the rest of the spec's `required` list is not sent. */
const ME_FIELDS = new Set([
  "client",
  "client_id",
  "name",
  "user",
  "id",
  "username",
  "organizationId",
  "organization",
  "subOrganizationIds",
]);

const TEXT_OR_DATE = /\/(description|url|approvedDate|lastActiveDate)$/;

/** Individual schema violations that are the spec's mistake, not the emulator's. */
const RESPONSE_EXCEPTIONS: {
  operations: string[];
  keyword: string;
  path: RegExp;
  applies: (error: ErrorObject) => boolean;
  why: string;
}[] = [
  {
    operations: ["GET /accounts/api/me"],
    keyword: "required",
    path: /^\/(client|user)(\/organization)?$/,
    applies: (error) => !ME_FIELDS.has((error.params as { missingProperty: string }).missingProperty),
    why: "the /me schema was generated from one recorded answer and marks every field of it required (entitlements, subscription, organizationPreferences keyed by that answer's org id); the emulator sends the fields docs/anypoint.md section 1 documents",
  },
  {
    operations: ["GET /accounts/api/me"],
    keyword: "type",
    path: /^\/user\/organization\/subOrganizationIds\/\d+$/,
    applies: (error) => typeof error.data === "string",
    why: "the spec types subOrganizationIds items as objects; they are organization ids (strings), docs/anypoint.md section 1",
  },
  {
    operations: [
      "GET E2 applications",
      "GET E2 application",
      "PATCH E2 application",
      "GET AM apis",
      "GET AM api",
      "GET AM tiers",
      "GET AM contracts",
      "GET AM contract",
      "PATCH AM contract",
      "POST XAPI contract action",
    ],
    keyword: "type",
    path: TEXT_OR_DATE,
    applies: (error) => error.data === null,
    why: "the specs type optional text and dates (description, url, approvedDate, lastActiveDate) from an example that had a value; an absent one is null, as the same specs' examples show for rejectedDate and revokedDate",
  },
];
const usedExceptions = new Set<number>();

/**
 * Fields the emulator sends although the operation's spec (schema properties and example) does not
 * document them. Each one is a guess listed, with its reason, in docs/anypoint.md section 9; an
 * undocumented field that is not here fails the conformance test, since a field the real service
 * does not send can hide a client's mistake (docs/anypoint.md section 8).
 */
const UNDOCUMENTED_FIELDS: { operations: string[]; path: RegExp; why: string }[] = [];
const usedFieldExceptions = new Set<number>();

function undocumentedOutsideExceptions(name: string, places: string[]): string[] {
  return places.filter((place) => {
    const index = UNDOCUMENTED_FIELDS.findIndex(
      (exception) => exception.operations.includes(name) && exception.path.test(place),
    );
    if (index >= 0) usedFieldExceptions.add(index);
    return index < 0;
  });
}

interface Case {
  name: string;
  spec?: { name: SpecName; route: string; method: string };
  status: number;
  run: (session: Session, fixture: Fixture) => Promise<Answer>;
}

interface Fixture {
  token: string;
  appId: number;
  spareAppId: number;
  pendingContractId: number;
}

const E2_APPS = "/organizations/{masterOrganizationId}/applications";
const R2_APPS = "/organizations/{organizationId}/applications";
const AM_APIS = "/organizations/{organizationId}/environments/{environmentId}/apis";
const AM_CONTRACT = `${AM_APIS}/{environmentApiId}/contracts/{contractId}`;

const exchange = (route: string, method: string) => ({ name: "exchange-experience" as const, route, method });
const manager = (route: string, method: string) => ({ name: "api-manager" as const, route, method });
const platform = (route: string, method: string) => ({ name: "api-platform" as const, route, method });

const CASES: Case[] = [
  {
    name: "POST /accounts/api/v2/oauth2/token",
    spec: { name: "access-management", route: "/v2/oauth2/token", method: "post" },
    status: 200,
    run: (s) =>
      s.call("POST", "/accounts/api/v2/oauth2/token", {
        body: {
          grant_type: "client_credentials",
          client_id: FULL.clientId,
          client_secret: FULL.clientSecret,
        },
      }),
  },
  {
    name: "GET /accounts/api/me",
    spec: { name: "access-management", route: "/me", method: "get" },
    status: 200,
    run: (s, f) => s.call("GET", "/accounts/api/me", { token: f.token }),
  },
  {
    name: "POST E2 applications",
    spec: exchange(E2_APPS, "post"),
    status: 201,
    run: (s, f) =>
      s.call("POST", E2, {
        token: f.token,
        body: {
          name: "conformance-created",
          description: "d",
          url: "https://example.test",
          redirectUri: [],
          grantTypes: ["client_credentials"],
        },
      }),
  },
  {
    name: "GET E2 applications",
    spec: exchange(E2_APPS, "get"),
    status: 200,
    run: (s, f) => s.call("GET", `${E2}?offset=0&limit=10`, { token: f.token }),
  },
  {
    name: "GET E2 application",
    spec: exchange(`${E2_APPS}/{applicationId}`, "get"),
    status: 200,
    run: (s, f) => s.call("GET", `${E2}/${f.appId}`, { token: f.token }),
  },
  {
    name: "PATCH E2 application",
    spec: exchange(`${E2_APPS}/{applicationId}`, "patch"),
    status: 200,
    run: (s, f) => s.call("PATCH", `${E2}/${f.appId}`, { token: f.token, body: { description: "changed" } }),
  },
  {
    name: "POST E2 secret reset",
    spec: exchange(`${E2_APPS}/{applicationId}/secret/reset`, "post"),
    status: 201,
    run: (s, f) => s.call("POST", `${E2}/${f.appId}/secret/reset`, { token: f.token }),
  },
  {
    name: "POST E2 contracts",
    spec: exchange(`${E2_APPS}/{applicationId}/contracts`, "post"),
    status: 201,
    run: (s, f) =>
      s.call("POST", `${E2}/${f.appId}/contracts`, {
        token: f.token,
        body: contractRequest(API.customersSandbox, TIER.customersFree, ASSETS.customers),
      }),
  },
  {
    name: "GET E2 contracts",
    spec: exchange(`${E2_APPS}/{applicationId}/contracts`, "get"),
    status: 200,
    run: (s, f) => s.call("GET", `${E2}/${f.appId}/contracts`, { token: f.token }),
  },
  {
    name: "PATCH E2 contract",
    spec: exchange(`${E2_APPS}/{applicationId}/contracts/{contractId}`, "patch"),
    status: 200,
    run: (s, f) =>
      s.call("PATCH", `${E2}/${f.appId}/contracts/${f.pendingContractId}`, {
        token: f.token,
        body: { requestedTierId: TIER.silver },
      }),
  },
  {
    name: "GET E2 asset instances",
    spec: exchange("/assets/{groupId}/{assetId}/versionGroups/{versionGroup}/instances", "get"),
    status: 200,
    run: (s, f) =>
      s.call("GET", `/exchange/api/v2/assets/${ROOT}/orders-api/versionGroups/v1/instances`, {
        token: f.token,
      }),
  },
  {
    name: "GET R2 applications",
    spec: platform(R2_APPS, "get"),
    status: 200,
    run: (s, f) => s.call("GET", `${R2}?targetAdminSite=true&offset=0&limit=100`, { token: f.token }),
  },
  {
    name: "GET R2 application",
    spec: platform(`${R2_APPS}/{applicationId}`, "get"),
    status: 200,
    run: (s, f) => s.call("GET", `${R2}/${LEGACY_APP}`, { token: f.token }),
  },
  {
    name: "GET AM apis",
    spec: manager(AM_APIS, "get"),
    status: 200,
    run: (s, f) => s.call("GET", `${amApis()}?offset=0&limit=10`, { token: f.token }),
  },
  {
    name: "GET AM api",
    spec: manager(`${AM_APIS}/{environmentApiId}`, "get"),
    status: 200,
    run: (s, f) => s.call("GET", `${amApis()}/${API.ordersSandbox}`, { token: f.token }),
  },
  {
    name: "GET AM tiers",
    spec: manager(`${AM_APIS}/{environmentApiId}/tiers`, "get"),
    status: 200,
    run: (s, f) => s.call("GET", `${amApis()}/${API.ordersSandbox}/tiers`, { token: f.token }),
  },
  {
    name: "GET AM contracts",
    spec: manager(`${AM_APIS}/{environmentApiId}/contracts`, "get"),
    status: 200,
    run: (s, f) => s.call("GET", `${amContracts(API.ordersSandbox)}?offset=0&limit=10`, { token: f.token }),
  },
  {
    name: "GET AM contract",
    spec: manager(AM_CONTRACT, "get"),
    status: 200,
    run: (s, f) => s.call("GET", `${amContracts(API.ordersSandbox)}/${LEGACY_CONTRACT}`, { token: f.token }),
  },
  {
    name: "PATCH AM contract",
    spec: manager(AM_CONTRACT, "patch"),
    status: 200,
    run: (s, f) =>
      s.call("PATCH", `${amContracts(API.ordersSandbox)}/${LEGACY_CONTRACT}`, {
        token: f.token,
        body: { tierId: TIER.gold },
      }),
  },
  {
    name: "POST XAPI contract action",
    status: 201,
    run: (s, f) =>
      s.call("POST", xapiContract(API.ordersSandbox, LEGACY_CONTRACT, "revoke"), {
        token: f.token,
        body: {},
      }),
  },
  {
    name: "DELETE AM contract",
    spec: manager(AM_CONTRACT, "delete"),
    status: 204,
    run: (s, f) =>
      s.call("DELETE", `${amContracts(API.ordersSandbox)}/${LEGACY_CONTRACT}`, { token: f.token }),
  },
  {
    name: "DELETE E2 application",
    spec: exchange(`${E2_APPS}/{applicationId}`, "delete"),
    status: 204,
    run: (s, f) => s.call("DELETE", `${E2}/${f.appId}`, { token: f.token }),
  },
  {
    name: "DELETE R2 application",
    spec: platform(`${R2_APPS}/{applicationId}`, "delete"),
    status: 204,
    run: (s, f) => s.call("DELETE", `${R2}/${f.spareAppId}`, { token: f.token }),
  },
];

const ajv = new Ajv({ allErrors: true, strict: false, verbose: true });
addFormats(ajv);

/** The schema a case's response is checked against, the spec's examples, and where they came from. */
function responseSchema(testCase: Case): { schema?: Schema; examples: unknown[]; source: string } {
  const substitute = SUBSTITUTE_SCHEMAS[testCase.name];
  if (testCase.name === "GET AM contract" || testCase.name === "POST XAPI contract action") {
    const patch = operation("api-manager", AM_CONTRACT, "patch").responses["200"];
    const list = operation("api-manager", AM_CONTRACT, "get").responses["200"];
    const item = (list.schema as { properties: { contracts: { items: Schema } } }).properties.contracts.items;
    const listExample = (list.example as { contracts?: unknown[] } | undefined)?.contracts ?? [];
    return testCase.name === "GET AM contract"
      ? { schema: item, examples: listExample, source: "API Manager contract list item" }
      : {
          schema: patch.schema,
          examples: patch.example === undefined ? [] : [patch.example],
          source: "API Manager PATCH contract response",
        };
  }
  if (substitute) return { schema: substitute.schema, examples: [], source: "exception table" };
  const spec = testCase.spec!;
  const response = operation(spec.name, spec.route, spec.method).responses[String(testCase.status)];
  if (!response) throw new Error(`${testCase.name}: the spec documents no ${testCase.status}`);
  const schema = response.schema;
  const example = response.example ?? (schema as { example?: unknown } | undefined)?.example;
  const examples = example === undefined ? [] : [example];
  const meaningful =
    schema &&
    Object.keys(schema).some((key) =>
      ["type", "properties", "items", "allOf", "anyOf", "oneOf"].includes(key),
    );
  if (meaningful) return { schema, examples, source: "spec schema" };
  if (example !== undefined) return { schema: schemaFromExample(example), examples, source: "spec example" };
  return { examples, source: "spec documents no body" };
}

function unexplained(name: string, errors: ErrorObject[]): string[] {
  return errors
    .filter((error) => {
      const index = RESPONSE_EXCEPTIONS.findIndex(
        (exception) =>
          exception.operations.includes(name) &&
          exception.keyword === error.keyword &&
          exception.path.test(error.instancePath) &&
          exception.applies(error),
      );
      if (index >= 0) usedExceptions.add(index);
      return index < 0;
    })
    .map((error) => `${error.instancePath || "(body)"} ${error.keyword}: ${error.message}`);
}

describe("the no-undocumented-field check", () => {
  const schema: Schema = {
    type: "object",
    properties: { id: { type: "integer" }, tier: { type: "object", properties: { id: {} } }, free: {} },
  };

  it("names each field neither the schema's properties nor the examples document, at any depth", () => {
    const body = { id: 1, clientId: "x", tier: { id: 2, apiId: 3 }, items: [{ a: 1 }], free: { any: 1 } };
    expect(undocumentedFields(body, schema, [{ items: [{ a: 0 }] }])).toEqual(["/clientId", "/tier/apiId"]);
    expect(undocumentedFields([{ id: 1, url: "u" }], { type: "array", items: schema })).toEqual(["/0/url"]);
  });
});

describe("the emulator's responses against the official specs", () => {
  let session: Session;
  let fixture: Fixture;
  /** Each case's answer, from the status check (cases change state, so each runs once). */
  const answers = new Map<string, Answer>();

  beforeAll(async () => {
    session = await start();
    const token = await session.token();
    const create = (name: string) =>
      session.call("POST", E2, { token, body: { name, redirectUri: [], grantTypes: [] } });
    const app = (await create("conformance-app")).body as { id: number };
    const spare = (await create("conformance-spare")).body as { id: number };
    const pending = await session.call("POST", `${E2}/${app.id}/contracts`, {
      token,
      body: contractRequest(API.ordersSandbox, TIER.gold),
    });
    fixture = {
      token,
      appId: app.id,
      spareAppId: spare.id,
      pendingContractId: (pending.body as { id: number }).id,
    };
  });

  afterAll(() => session.close());

  it.each(CASES.map((testCase) => [testCase.name, testCase] as const))(
    "%s answers the documented status and a body the spec allows",
    async (_name, testCase) => {
      const answer = await testCase.run(session, fixture);
      answers.set(testCase.name, answer);
      expect({ status: answer.status, body: answer.body }).toMatchObject({ status: testCase.status });
      if (testCase.status === 204) {
        expect(answer.body).toBeUndefined();
        return;
      }
      const { schema } = responseSchema(testCase);
      if (!schema) {
        expect(answer.body).toBeUndefined();
        return;
      }
      const validate = ajv.compile(toJsonSchema(schema) as object);
      validate(answer.body);
      expect(unexplained(testCase.name, validate.errors ?? [])).toEqual([]);
    },
  );

  it.each(CASES.map((testCase) => [testCase.name, testCase] as const))(
    "%s answers no field its spec does not document (docs/anypoint.md section 9 lists the exceptions)",
    async (_name, testCase) => {
      const answer = answers.get(testCase.name);
      if (testCase.status === 204 || answer?.status !== testCase.status) return;
      const { schema, examples } = responseSchema(testCase);
      if (!schema) return;
      expect(
        undocumentedOutsideExceptions(testCase.name, undocumentedFields(answer.body, schema, examples)),
      ).toEqual([]);
    },
  );

  it("needs every entry of its exception tables", () => {
    expect(RESPONSE_EXCEPTIONS.filter((_, index) => !usedExceptions.has(index)).map((e) => e.why)).toEqual(
      [],
    );
    expect(
      UNDOCUMENTED_FIELDS.filter((_, index) => !usedFieldExceptions.has(index)).map((e) => e.why),
    ).toEqual([]);
  });
});

/** A value of another JSON type than the schema's. */
function wrongType(type: unknown): unknown {
  switch (type) {
    case "string":
      return true;
    case "boolean":
      return "yes";
    case "array":
      return "not-a-list";
    case "object":
      return ["not", "an", "object"];
    default:
      return "not-a-number";
  }
}

/** Merges allOf parts into one object schema (the specs' request bodies are object-only). */
function flatten(schema: Schema): { properties: Record<string, Schema>; required: string[]; type?: unknown } {
  const parts = (schema.allOf as Schema[] | undefined) ?? [schema];
  const properties: Record<string, Schema> = {};
  const required: string[] = [];
  for (const part of parts) {
    Object.assign(properties, part.properties as Record<string, Schema> | undefined);
    required.push(...((part.required as string[] | undefined) ?? []));
  }
  return { properties, required, type: schema.type ?? "object" };
}

/** Bodies that break one constraint of the request schema each, derived from the spec. */
function violations(schema: Schema, valid: Record<string, unknown>): { what: string; body: unknown }[] {
  const branch = flatten(((schema.anyOf as Schema[] | undefined) ?? [schema])[0]);
  const out: { what: string; body: unknown }[] = [
    { what: "a body of the wrong type", body: wrongType(branch.type) },
  ];
  const without = (name: string) => Object.fromEntries(Object.entries(valid).filter(([key]) => key !== name));
  for (const name of branch.required) out.push({ what: `no ${name}`, body: without(name) });
  for (const [name, property] of Object.entries(branch.properties)) {
    const part = flatten(property);
    const type = property.type ?? part.type;
    const set = (value: unknown) => ({ ...valid, [name]: value });
    out.push({ what: `${name} of the wrong type`, body: set(wrongType(type)) });
    if (Array.isArray(property.enum))
      out.push({ what: `${name} outside its enum`, body: set("not-in-the-enum") });
    if (typeof property.minimum === "number")
      out.push({ what: `${name} below its minimum`, body: set(property.minimum - 1) });
    if (property.format === "uuid") out.push({ what: `${name} not a UUID`, body: set("not-a-uuid") });
    if (typeof property.maxLength === "number")
      out.push({ what: `${name} over its maximum length`, body: set("x".repeat(property.maxLength + 1)) });
    if (typeof property.minLength === "number" && property.minLength > 0)
      out.push({ what: `${name} under its minimum length`, body: set("") });
  }
  return out;
}

/** Query values that break one constraint of a documented paging parameter each. */
function queryViolations(spec: SpecName, route: string, names: string[]): { what: string; query: string }[] {
  const out: { what: string; query: string }[] = [];
  for (const parameter of operation(spec, route, "get").parameters) {
    if (parameter.in !== "query" || !names.includes(parameter.name) || !parameter.schema) continue;
    const parts = (parameter.schema.allOf as Schema[] | undefined) ?? [];
    const schema: Schema = Object.assign({}, parameter.schema, ...parts);
    out.push({ what: `${parameter.name} not a number`, query: `${parameter.name}=abc` });
    if (typeof schema.minimum === "number")
      out.push({
        what: `${parameter.name} below ${schema.minimum}`,
        query: `${parameter.name}=${schema.minimum - 1}`,
      });
    if (typeof schema.maximum === "number" && schema.maximum < 1_000_000)
      out.push({
        what: `${parameter.name} above ${schema.maximum}`,
        query: `${parameter.name}=${schema.maximum + 1}`,
      });
  }
  return out;
}

const exchange400 = { status: 400, message: expect.any(String), details: {} };
const manager400 = { error: "Bad Request", message: expect.any(String) };

describe("requests the official specs forbid", () => {
  let session: Session;
  let token: string;
  let appId: number;
  let ordersContractId: number;

  beforeAll(async () => {
    session = await start();
    token = await session.token();
    const app = await session.call("POST", E2, {
      token,
      body: { name: "refused-requests", redirectUri: [], grantTypes: [] },
    });
    appId = (app.body as { id: number }).id;
    const contract = await session.call("POST", `${E2}/${appId}/contracts`, {
      token,
      body: contractRequest(API.ordersSandbox, TIER.silver),
    });
    ordersContractId = (contract.body as { id: number }).id;
  });

  afterAll(() => session.close());

  const contractSchema = operation(
    "exchange-experience",
    `${E2_APPS}/{applicationId}/contracts`,
    "post",
  ).requestSchema!;
  const validContract = contractRequest(API.paymentsSandbox, undefined, ASSETS.payments);

  it("takes the valid request access body the violations below are made from", () => {
    expect(ajv.validate(toJsonSchema(contractSchema) as object, validContract)).toBe(true);
  });

  it.each(
    violations(contractSchema, validContract).map((violation) => [violation.what, violation.body] as const),
  )("refuses a request access (CreateContractV2) with %s in Exchange's error shape", async (_what, body) => {
    expect(ajv.validate(toJsonSchema(contractSchema) as object, body)).toBe(false);
    const answer = await session.call("POST", `${E2}/${appId}/contracts`, { token, body });
    expect({ status: answer.status, body: answer.body }).toEqual({ status: 400, body: exchange400 });
  });

  const patchSchema = operation("api-manager", AM_CONTRACT, "patch").requestSchema!;

  it.each(
    violations(patchSchema, { tierId: TIER.silver }).map(
      (violation) => [violation.what, violation.body] as const,
    ),
  )("refuses an API Manager contract patch with %s in API Manager's error shape", async (_what, body) => {
    expect(ajv.validate(toJsonSchema(patchSchema) as object, body)).toBe(false);
    const answer = await session.call("PATCH", `${amContracts(API.ordersSandbox)}/${LEGACY_CONTRACT}`, {
      token,
      body,
    });
    expect({ status: answer.status, body: answer.body }).toEqual({ status: 400, body: manager400 });
  });

  const tierPatchSchema = operation(
    "exchange-experience",
    `${E2_APPS}/{applicationId}/contracts/{contractId}`,
    "patch",
  ).requestSchema!;

  it.each(
    violations(tierPatchSchema, { requestedTierId: TIER.silver }).map((v) => [v.what, v.body] as const),
  )("refuses an Exchange tier change with %s in Exchange's error shape", async (_what, body) => {
    const answer = await session.call("PATCH", `${E2}/${appId}/contracts/${ordersContractId}`, {
      token,
      body,
    });
    expect({ status: answer.status, body: answer.body }).toEqual({ status: 400, body: exchange400 });
  });

  const pagedLists: { name: string; spec: SpecName; route: string; url: () => string; shape: unknown }[] = [
    {
      name: "the E2 application list",
      spec: "exchange-experience",
      route: E2_APPS,
      url: () => E2,
      shape: exchange400,
    },
    {
      name: "the R2 admin list",
      spec: "api-platform",
      route: R2_APPS,
      url: () => R2,
      shape: { status: 400, message: expect.any(String), details: {} },
    },
    {
      name: "the API instance list",
      spec: "api-manager",
      route: AM_APIS,
      url: () => amApis(),
      shape: manager400,
    },
    {
      name: "an API instance's contracts",
      spec: "api-manager",
      route: `${AM_APIS}/{environmentApiId}/contracts`,
      url: () => amContracts(API.ordersSandbox),
      shape: manager400,
    },
    {
      name: "an API instance's tiers",
      spec: "api-manager",
      route: `${AM_APIS}/{environmentApiId}/tiers`,
      url: () => `${amApis()}/${API.ordersSandbox}/tiers`,
      shape: manager400,
    },
  ];

  it.each(
    pagedLists.flatMap((list) =>
      queryViolations(list.spec, list.route, ["offset", "limit"]).map(
        (violation) => [list.name, violation.what, list, violation.query] as const,
      ),
    ),
  )("refuses %s with %s", async (_name, _what, list, query) => {
    const answer = await session.call("GET", `${list.url()}?${query}`, { token });
    expect({ status: answer.status, body: answer.body }).toEqual({ status: 400, body: list.shape });
  });

  it("accepts apiId as a number as well as the spec's string (docs/anypoint.md section 3: the docs send a number)", async () => {
    const answer = await session.call("POST", `${E2}/${appId}/contracts`, {
      token,
      body: { ...validContract, apiId: API.paymentsSandbox },
    });
    expect(answer.status).toBe(201);
  });
});
