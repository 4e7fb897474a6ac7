import { SEED } from "./harness";

export type Kind = "application" | "contract";

export interface HostileRow {
  kind: Kind;
  field: string;
  value: unknown;
  what: string;
  /** The reason `check` gives for the field. */
  reason: string | RegExp;
  /** Also run through the Pulumi engine (test/reliability/hostileInput.test.ts) to prove the path. */
  endToEnd?: true;
}

const UUID = "must be a UUID such as 7f3c2a91-4d8e-4b6a-9c1f-2e5d8a7b3c10";

// Every value here must be refused by `check`, so a preview fails naming the field before a
// single request reaches Anypoint. test/provider/hostileInputs.test.ts checks every row directly;
// the engine test runs the rows marked endToEnd through `pulumi preview`.
export const HOSTILE_ROWS: HostileRow[] = [
  {
    kind: "application",
    field: "name",
    value: 42,
    what: "a number for a string",
    reason: "must be a string",
    endToEnd: true,
  },
  {
    kind: "application",
    field: "name",
    value: "",
    what: "an empty string",
    reason: "is required and must not be blank",
  },
  {
    kind: "application",
    field: "name",
    value: "x".repeat(100_000),
    what: "a 100 000-character string",
    reason: "must be at most 255 characters",
  },
  {
    kind: "application",
    field: "name",
    value: "line\nbreak",
    what: "a control character",
    reason: "must not contain control characters",
  },
  {
    kind: "application",
    field: "description",
    value: "d".repeat(5_000),
    what: "a 5 000-character string",
    reason: "must be at most 4000 characters",
  },
  {
    kind: "application",
    field: "url",
    value: "javascript:alert(1)",
    what: "a script URL",
    reason: "must be an absolute http(s) URL",
  },
  {
    kind: "application",
    field: "redirectUris",
    value: "https://one.example.com",
    what: "a string for a list",
    reason: "must be a list of URIs",
  },
  {
    kind: "application",
    field: "grantTypes",
    value: ["magic"],
    what: "an unknown enum value",
    reason: "must be one of client_credentials, password, implicit, authorization_code, refresh_token",
  },
  {
    kind: "application",
    field: "apiInstanceId",
    value: -1,
    what: "a negative number",
    reason: "must be a positive number",
  },
  {
    kind: "application",
    field: "apiInstanceId",
    value: 2.5,
    what: "a non-integer",
    reason: "must be a whole number",
  },
  {
    kind: "application",
    field: "apiInstanceId",
    value: "18800101/../1",
    what: "a string with / and ..",
    reason: "must be a number",
  },
  {
    kind: "application",
    field: "organizationId",
    value: `${SEED.rootOrganizationId}/../x`,
    what: "/ and ..",
    reason: UUID,
    endToEnd: true,
  },
  { kind: "application", field: "organizationId", value: "a?b#c", what: "? and #", reason: UUID },
  { kind: "application", field: "organizationId", value: "ümlaut-環境", what: "unicode", reason: UUID },
  {
    kind: "application",
    field: "apiEndpoints",
    value: "yes",
    what: "a string for a boolean",
    reason: "must be true or false",
  },
  {
    kind: "application",
    field: "colour",
    value: "red",
    what: "an unknown input",
    reason: "unknown input(s): colour",
  },
  {
    kind: "contract",
    field: "applicationId",
    value: "2700001/../2690001",
    what: "a string with / and ..",
    reason: "must be a number",
    endToEnd: true,
  },
  { kind: "contract", field: "applicationId", value: 0, what: "zero", reason: "must be a positive number" },
  {
    kind: "contract",
    field: "applicationId",
    value: 1.5,
    what: "a non-integer",
    reason: "must be a whole number",
  },
  {
    kind: "contract",
    field: "applicationId",
    value: -7,
    what: "a negative number",
    reason: "must be a positive number",
  },
  { kind: "contract", field: "environmentId", value: "..", what: "..", reason: UUID },
  { kind: "contract", field: "environmentId", value: `${SEED.sandbox}?x=1#y`, what: "? and #", reason: UUID },
  { kind: "contract", field: "environmentId", value: "ümlaut-環境", what: "unicode", reason: UUID },
  { kind: "contract", field: "environmentId", value: "", what: "an empty string", reason: UUID },
  {
    kind: "contract",
    field: "apiInstanceId",
    value: "18800101#x",
    what: "a string with #",
    reason: "must be a number",
  },
  { kind: "contract", field: "apiInstanceId", value: 1e300, what: "a huge number", reason: "is too large" },
  {
    kind: "contract",
    field: "tierId",
    value: -5,
    what: "a negative number",
    reason: "must be a positive number",
  },
  { kind: "contract", field: "tierId", value: 3.14, what: "a non-integer", reason: "must be a whole number" },
  {
    kind: "contract",
    field: "approve",
    value: "true",
    what: "a string for a boolean",
    reason: "must be true or false",
  },
  {
    kind: "contract",
    field: "acceptedTerms",
    value: false,
    what: "terms not accepted",
    reason: "must be true: Anypoint refuses access requests whose terms are not accepted",
    endToEnd: true,
  },
  { kind: "contract", field: "organizationId", value: "a/b", what: "a /", reason: UUID },
];

/** A valid declaration of each kind, to which a row adds its one bad field. */
export const VALID_INPUTS: Record<Kind, Record<string, unknown>> = {
  application: { name: "hostile-input-app" },
  contract: { applicationId: 2690001, environmentId: SEED.sandbox, apiInstanceId: SEED.apis.paymentsSandbox },
};

/**
 * The rows packed into as few declarations as possible: one value per field in each, so that
 * a declaration carries several bad fields at once, every one of which must be named.
 */
export function packs(rows: readonly HostileRow[]): { kind: Kind; rows: HostileRow[] }[] {
  const result: { kind: Kind; rows: HostileRow[] }[] = [];
  for (const row of rows) {
    const pack = result.find((p) => p.kind === row.kind && !p.rows.some((r) => r.field === row.field));
    if (pack) pack.rows.push(row);
    else result.push({ kind: row.kind, rows: [row] });
  }
  return result;
}

/** The declaration of a pack: the valid inputs with each row's bad value. */
export function declarationOf(pack: { kind: Kind; rows: readonly HostileRow[] }): Record<string, unknown> {
  return {
    ...VALID_INPUTS[pack.kind],
    ...Object.fromEntries(pack.rows.map((row) => [row.field, row.value])),
  };
}
