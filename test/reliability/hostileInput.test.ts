import { AnypointClient, isAnypointError } from "../../client";
import { Harness, SEED } from "../support/harness";
import { declarationOf, HOSTILE_ROWS, packs } from "../support/hostileInputs";

jest.setTimeout(10 * 60_000);

// Every hostile value is refused by `check` (test/provider/hostileInputs.test.ts calls it directly
// for the whole table). Here the rows marked endToEnd prove the engine's path: the preview fails
// naming each field, and not a single request reaches Anypoint.
const END_TO_END = HOSTILE_ROWS.filter((row) => row.endToEnd);

const escape = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

describe("hostile input", () => {
  let harness: Harness;

  beforeAll(async () => {
    harness = await Harness.start();
  });

  afterAll(async () => {
    await harness?.close();
  });

  describe.each(packs(END_TO_END).map((pack, index) => [index + 1, pack] as const))(
    "preview %i",
    (_index, pack) => {
      let output = "";
      let failed = false;

      beforeAll(async () => {
        // The engine stops at the first resource whose check fails, so each preview declares one
        // resource, carrying several bad fields at once.
        const resource = { key: "hostile", ...declarationOf(pack) };
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

      it.each(pack.rows.map((row) => [row.field, row.what, row] as const))(
        "names %s (%s) and its reason",
        (field, _what, row) => {
          // A pattern reason matches part of the message; a text reason, all of its start.
          const reason = typeof row.reason === "string" ? escape(row.reason) : `[^\\n]*?${row.reason.source}`;
          expect(output).toMatch(
            new RegExp(`property ${escape(field)}(\\.\\d+)? value [\\s\\S]*? has a problem: ${reason}`),
          );
        },
      );
    },
  );

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
