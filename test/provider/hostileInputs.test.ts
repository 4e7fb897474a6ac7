import { offlineProviders } from "../support/direct";
import {
  declarationOf,
  HOSTILE_ROWS,
  type HostileRow,
  type Kind,
  packs,
  VALID_INPUTS,
} from "../support/hostileInputs";

// The hostile-input table, through each provider's `check` directly (what preview calls first).
// A few rows also go through the Pulumi engine in test/reliability/hostileInput.test.ts.

const offline = offlineProviders();
const providers = { application: offline.app, contract: offline.contract } satisfies Record<Kind, unknown>;

async function failuresOf(kind: Kind, news: Record<string, unknown>) {
  const result = await providers[kind].check({}, news);
  return result.failures ?? [];
}

/** The property the engine prints for a field: the field, or an item of it (grantTypes.0). */
const namesField = (field: string) => (property: string) => new RegExp(`^${field}(\\.\\d+)?$`).test(property);

describe("hostile input, refused by check", () => {
  it("the valid declarations themselves pass", async () => {
    expect(await failuresOf("application", VALID_INPUTS.application)).toEqual([]);
    expect(await failuresOf("contract", VALID_INPUTS.contract)).toEqual([]);
  });

  it.each(HOSTILE_ROWS.map((row) => [row.kind, row.field, row.what, row] as const))(
    "%s %s: %s, named with its reason and nothing else",
    async (_kind, _field, _what, row: HostileRow) => {
      const failures = await failuresOf(row.kind, { ...VALID_INPUTS[row.kind], [row.field]: row.value });
      expect(failures.length).toBeGreaterThan(0);
      expect(failures.map((f) => f.property).filter((p) => !namesField(row.field)(p))).toEqual([]);
      const reasons = failures.map((f) => f.reason);
      if (typeof row.reason === "string") expect(reasons).toContain(row.reason);
      else expect(reasons.some((reason) => (row.reason as RegExp).test(reason))).toBe(true);
    },
  );

  it.each(packs(HOSTILE_ROWS).map((pack, index) => [index + 1, pack.kind, pack] as const))(
    "declaration %i (%s) with several bad fields names every one of them",
    async (_index, _kind, pack) => {
      const properties = (await failuresOf(pack.kind, declarationOf(pack))).map((f) => f.property);
      for (const row of pack.rows) expect(properties.filter(namesField(row.field))).not.toEqual([]);
    },
  );
});
