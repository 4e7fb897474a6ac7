import { AnypointClient, isAnypointError } from "../../client";
import { Harness, SEED } from "../support/harness";

jest.setTimeout(10 * 60_000);

type Kind = "application" | "contract";
interface Row {
  kind: Kind;
  field: string;
  value: unknown;
  what: string;
}

// Every value here must be refused by `check`, so a preview fails naming the field before a
// single request reaches Anypoint.
const ROWS: Row[] = [
  { kind: "application", field: "name", value: 42, what: "a number for a string" },
  { kind: "application", field: "name", value: "", what: "an empty string" },
  { kind: "application", field: "name", value: "x".repeat(100_000), what: "a 100 000-character string" },
  { kind: "application", field: "name", value: "line\nbreak", what: "a control character" },
  { kind: "application", field: "description", value: "d".repeat(5_000), what: "a 5 000-character string" },
  { kind: "application", field: "url", value: "javascript:alert(1)", what: "a script URL" },
  {
    kind: "application",
    field: "redirectUris",
    value: "https://one.example.com",
    what: "a string for a list",
  },
  { kind: "application", field: "grantTypes", value: ["magic"], what: "an unknown enum value" },
  { kind: "application", field: "apiInstanceId", value: -1, what: "a negative number" },
  { kind: "application", field: "apiInstanceId", value: 2.5, what: "a non-integer" },
  { kind: "application", field: "apiInstanceId", value: "18800101/../1", what: "a string with / and .." },
  {
    kind: "application",
    field: "organizationId",
    value: `${SEED.rootOrganizationId}/../x`,
    what: "/ and ..",
  },
  { kind: "application", field: "organizationId", value: "a?b#c", what: "? and #" },
  { kind: "application", field: "organizationId", value: "ümlaut-環境", what: "unicode" },
  { kind: "application", field: "apiEndpoints", value: "yes", what: "a string for a boolean" },
  { kind: "application", field: "colour", value: "red", what: "an unknown input" },
  { kind: "contract", field: "applicationId", value: "2700001/../2690001", what: "a string with / and .." },
  { kind: "contract", field: "applicationId", value: 0, what: "zero" },
  { kind: "contract", field: "applicationId", value: 1.5, what: "a non-integer" },
  { kind: "contract", field: "applicationId", value: -7, what: "a negative number" },
  { kind: "contract", field: "environmentId", value: "..", what: ".." },
  { kind: "contract", field: "environmentId", value: `${SEED.sandbox}?x=1#y`, what: "? and #" },
  { kind: "contract", field: "environmentId", value: "ümlaut-環境", what: "unicode" },
  { kind: "contract", field: "environmentId", value: "", what: "an empty string" },
  { kind: "contract", field: "apiInstanceId", value: "18800101#x", what: "a string with #" },
  { kind: "contract", field: "apiInstanceId", value: 1e300, what: "a huge number" },
  { kind: "contract", field: "tierId", value: -5, what: "a negative number" },
  { kind: "contract", field: "tierId", value: 3.14, what: "a non-integer" },
  { kind: "contract", field: "approve", value: "true", what: "a string for a boolean" },
  { kind: "contract", field: "acceptedTerms", value: false, what: "terms not accepted" },
  { kind: "contract", field: "organizationId", value: "a/b", what: "a /" },
];

const VALID: Record<Kind, Record<string, unknown>> = {
  application: { name: "hostile-input-app" },
  contract: { applicationId: 2690001, environmentId: SEED.sandbox, apiInstanceId: SEED.apis.paymentsSandbox },
};

/**
 * The engine stops at the first resource whose check fails, so each preview declares one
 * resource; it carries several bad fields at once (one value per field), all of which must be named.
 */
function packs(): { kind: Kind; rows: Row[] }[] {
  const result: { kind: Kind; rows: Row[] }[] = [];
  for (const row of ROWS) {
    const pack = result.find((p) => p.kind === row.kind && !p.rows.some((r) => r.field === row.field));
    if (pack) pack.rows.push(row);
    else result.push({ kind: row.kind, rows: [row] });
  }
  return result;
}

const escape = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

describe("hostile input", () => {
  let harness: Harness;

  beforeAll(async () => {
    harness = await Harness.start();
  });

  afterAll(async () => {
    await harness?.close();
  });

  describe.each(packs().map((pack, index) => [index + 1, pack] as const))("preview %i", (_index, pack) => {
    let output = "";
    let failed = false;

    beforeAll(async () => {
      const resource = {
        key: "hostile",
        ...VALID[pack.kind],
        ...Object.fromEntries(pack.rows.map((row) => [row.field, row.value])),
      };
      await harness.declare(
        pack.kind === "application" ? { applications: [resource] } : { contracts: [resource] },
      );
      await harness.clearRequests();
      await harness.stack.preview({ onOutput: (text) => (output += text) }).catch(() => (failed = true));
    });

    it("fails and sends no request to Anypoint", async () => {
      expect(failed).toBe(true);
      expect(await harness.requests()).toEqual([]);
    });

    it.each(pack.rows.map((row) => [row.field, row.what, row] as const))("names %s (%s)", (field) => {
      expect(output).toMatch(
        new RegExp(`property ${escape(field)}(\\.\\d+)? value [\\s\\S]*? has a problem`),
      );
    });
  });

  it("encodes every path segment, and refuses segments that would change the route", async () => {
    const client = AnypointClient.fromOptions({ baseUrl: harness.url, ...SEED.full, maxAttempts: 1 }, {});
    await harness.clearRequests();
    const hostile = ["a/b", "a?b=1", "a#b", "Zürich ☃", "%2e%2e", "%2F"];
    for (const orgId of hostile) {
      await expect(client.getApplication(orgId, 5)).rejects.toMatchObject({ code: "not_found" });
    }
    const paths = (await harness.requests())
      .map((entry) => entry.path)
      .filter((p) => p.startsWith("/exchange/"));
    expect(paths).toEqual(
      hostile.map((orgId) => `/exchange/api/v2/organizations/${encodeURIComponent(orgId)}/applications/5`),
    );

    // URL parsing resolves "." and ".." (even percent-encoded as %2e): they must never be sent.
    await harness.clearRequests();
    for (const orgId of ["..", ".", ""]) {
      const failure = await Promise.resolve()
        .then(() => client.getApplication(orgId, 5))
        .catch((error: unknown) => error);
      expect(isAnypointError(failure, "config")).toBe(true);
    }
    expect(await harness.requests()).toEqual([]);
  });

  it("refuses a plain http base URL that is not loopback, before sending anything", async () => {
    expect(() =>
      AnypointClient.fromOptions({ baseUrl: "http://anypoint.example.com", ...SEED.full }, {}),
    ).toThrow(/refusing plain http/);

    // Through the engine: 192.0.2.0/24 is reserved for documentation, nothing answers there.
    await harness.stack.setConfig("anypoint:baseUrl", { value: "http://192.0.2.10:8081" });
    await harness.declare({ applications: [{ key: "plain", name: "plain-http-app" }] });
    try {
      await expect(harness.stack.preview()).rejects.toThrow(/refusing plain http to 192\.0\.2\.10/);
      await expect(harness.stack.up()).rejects.toThrow(/refusing plain http to 192\.0\.2\.10/);
    } finally {
      await harness.stack.setConfig("anypoint:baseUrl", { value: harness.url });
    }
    const state = JSON.parse(await harness.local.exportState());
    expect(
      (state.deployment.resources ?? []).filter((r: { type: string }) => r.type.includes("anypoint")),
    ).toEqual([]);
  });
});
