import type { ClientApplicationState } from "../../provider/impl/clientApplicationProvider";
import { UNKNOWN } from "../../provider/inputs";
import { type Direct, type DiffRow, paths, same, startDirect, update } from "../support/direct";
import { offlineProviders } from "../support/direct";
import { SEED } from "../support/harness";

// ClientApplication's rules, called directly: diff on recorded state and new inputs (no I/O), then
// create/update/read/delete against an in-process emulator, asserting what reached Anypoint.

const BUSINESS_GROUP = "a1b2c3d4-0000-4000-8000-00000000b001";

/** What the stack records for an application created with only a name. */
const recorded: ClientApplicationState = {
  name: "mobile-app",
  redirectUris: [],
  grantTypes: [],
  clientId: "84e0dae60eee192888d8c2556aeb69ec",
  clientSecret: "47e5090787033A10D5843D6B4884cB35",
  masterOrganizationId: SEED.rootOrganizationId,
};

const replace = (...keys: string[]) => ({ changes: true, replaces: keys, deleteBeforeReplace: true });

const DIFF_ROWS: DiffRow<ClientApplicationState>[] = [
  { rule: "nothing changed", olds: {}, news: { name: "mobile-app" }, expected: same },
  { rule: "a rename updates in place", olds: {}, news: { name: "mobile-app-2" }, expected: update },
  {
    rule: "an added description",
    olds: {},
    news: { name: "mobile-app", description: "d" },
    expected: update,
  },
  {
    rule: "a removed description (clears it)",
    olds: { description: "d" },
    news: { name: "mobile-app" },
    expected: update,
  },
  {
    rule: "an empty description is no description",
    olds: {},
    news: { name: "mobile-app", description: "" },
    expected: same,
  },
  {
    rule: "a changed url",
    olds: { url: "https://a.example.com" },
    news: { name: "mobile-app", url: "https://b.example.com" },
    expected: update,
  },
  {
    rule: "a removed url",
    olds: { url: "https://a.example.com" },
    news: { name: "mobile-app" },
    expected: update,
  },
  {
    rule: "redirectUris in another order (a set)",
    olds: { redirectUris: ["https://a.example.com/cb", "https://b.example.com/cb"] },
    news: { name: "mobile-app", redirectUris: ["https://b.example.com/cb", "https://a.example.com/cb"] },
    expected: same,
  },
  {
    rule: "redirectUris with a duplicate (a set)",
    olds: { redirectUris: ["https://a.example.com/cb"] },
    news: { name: "mobile-app", redirectUris: ["https://a.example.com/cb", "https://a.example.com/cb"] },
    expected: same,
  },
  {
    rule: "an added redirect URI",
    olds: { redirectUris: ["https://a.example.com/cb"] },
    news: { name: "mobile-app", redirectUris: ["https://a.example.com/cb", "https://b.example.com/cb"] },
    expected: update,
  },
  {
    rule: "redirectUris [] is no redirectUris",
    olds: {},
    news: { name: "mobile-app", redirectUris: [] },
    expected: same,
  },
  {
    rule: "grantTypes in another order (a set)",
    olds: { grantTypes: ["client_credentials", "refresh_token"] },
    news: { name: "mobile-app", grantTypes: ["refresh_token", "client_credentials"] },
    expected: same,
  },
  {
    rule: "a removed grant type",
    olds: { grantTypes: ["client_credentials", "refresh_token"] },
    news: { name: "mobile-app", grantTypes: ["client_credentials"] },
    expected: update,
  },
  {
    rule: "apiEndpoints turned on replaces",
    olds: {},
    news: { name: "mobile-app", apiEndpoints: true },
    expected: replace("apiEndpoints"),
  },
  {
    rule: "apiEndpoints removed replaces",
    olds: { apiEndpoints: true },
    news: { name: "mobile-app" },
    expected: replace("apiEndpoints"),
  },
  {
    rule: "apiEndpoints false is the default",
    olds: {},
    news: { name: "mobile-app", apiEndpoints: false },
    expected: same,
  },
  {
    rule: "another organization replaces, old one deleted first (names are unique)",
    olds: {},
    news: { name: "mobile-app", organizationId: BUSINESS_GROUP },
    expected: replace("organizationId"),
  },
  {
    rule: "the organization in another case is the same one",
    olds: {},
    news: { name: "mobile-app", organizationId: SEED.rootOrganizationId.toUpperCase() },
    expected: same,
  },
  {
    rule: "organization and apiEndpoints both replace",
    olds: {},
    news: { name: "mobile-app-2", organizationId: BUSINESS_GROUP, apiEndpoints: true },
    expected: replace("organizationId", "apiEndpoints"),
  },
  {
    rule: "a new secretRotation rotates in place",
    olds: {},
    news: { name: "mobile-app", secretRotation: 1 },
    expected: update,
  },
  {
    rule: "a changed secretRotation rotates in place",
    olds: { secretRotation: "2024-01" },
    news: { name: "mobile-app", secretRotation: "2024-02" },
    expected: update,
  },
  {
    rule: "the same secretRotation",
    olds: { secretRotation: 3 },
    news: { name: "mobile-app", secretRotation: 3 },
    expected: same,
  },
  {
    rule: "apiInstanceId is creation only",
    olds: { apiInstanceId: 1 },
    news: { name: "mobile-app", apiInstanceId: 2 },
    expected: same,
  },
  {
    rule: "adopt after creation changes nothing",
    olds: {},
    news: { name: "mobile-app", adopt: true },
    expected: same,
  },
  { rule: "a name unknown at preview", olds: {}, news: { name: UNKNOWN }, expected: update },
  {
    rule: "a redirect URI unknown at preview",
    olds: { redirectUris: ["https://a.example.com/cb"] },
    news: { name: "mobile-app", redirectUris: ["https://a.example.com/cb", UNKNOWN] },
    expected: update,
  },
];

describe("ClientApplication diff", () => {
  it.each(DIFF_ROWS.map((row) => [row.rule, row] as const))("%s", async (_rule, row) => {
    const diff = await offlineProviders().app.diff("2700001", { ...recorded, ...row.olds }, row.news);
    expect(diff).toEqual(row.expected);
  });
});

describe("ClientApplication against the emulator", () => {
  let d: Direct;
  const app = (id: number) => paths.application(id);

  beforeEach(async () => {
    d = await startDirect();
  });

  afterEach(async () => {
    await d?.close();
  });

  async function created(
    inputs: Record<string, unknown>,
  ): Promise<{ id: string; outs: ClientApplicationState }> {
    const result = await d.app.create(inputs);
    await d.clearRequests();
    return result as { id: string; outs: ClientApplicationState };
  }

  const live = async (id: number) => (await d.control.state()).applications.find((a) => a.id === id);

  describe("create", () => {
    it("posts the application once and records its client id, secret and organization", async () => {
      const result = await d.app.create({
        name: "mobile-app",
        description: "Mobile banking",
        grantTypes: ["client_credentials"],
      });
      const id = Number(result.id);
      const stored = await live(id);
      expect(result.outs).toEqual({
        name: "mobile-app",
        description: "Mobile banking",
        redirectUris: [],
        grantTypes: ["client_credentials"],
        clientId: stored!.clientId,
        clientSecret: stored!.clientSecret,
        masterOrganizationId: SEED.rootOrganizationId,
        baseUrl: d.url,
      });
      expect(await d.calls()).toEqual([
        `GET ${paths.me} -> 200`,
        // What exists under that name before the POST: a lost answer is then recovered, not duplicated.
        `GET ${paths.applications}?query=mobile-app&literalMatch=true&offset=0&limit=250 -> 200`,
        `POST ${paths.applications} -> 201`,
      ]);
    });

    it("with adopt, takes over the application of that name without a POST", async () => {
      const first = await created({ name: "mobile-app" });
      const adopted = await d.app.create({
        name: "mobile-app",
        description: "ignored until the next update",
        adopt: true,
      });
      expect(adopted.id).toBe(first.id);
      expect(adopted.outs).toMatchObject({
        adopt: true,
        clientId: first.outs.clientId,
        clientSecret: first.outs.clientSecret,
      });
      expect(adopted.outs).not.toHaveProperty("description");
      expect(await d.writes()).toEqual([]);
      expect((await d.control.state()).applications.filter((a) => a.name === "mobile-app")).toHaveLength(1);
    });
  });

  describe("update", () => {
    it("sends one PATCH for changed editable fields and keeps the secret", async () => {
      const { id, outs } = await created({ name: "mobile-app", description: "v1" });
      const result = await d.app.update(id, outs, { name: "mobile-app", description: "v2" });
      expect(await d.writes()).toEqual([`PATCH ${app(Number(id))} -> 200`]);
      expect(result.outs).toMatchObject({
        description: "v2",
        clientId: outs.clientId,
        clientSecret: outs.clientSecret,
      });
      expect(await live(Number(id))).toMatchObject({ description: "v2", clientSecret: outs.clientSecret });
    });

    it("clears a description removed from the program", async () => {
      const { id, outs } = await created({
        name: "mobile-app",
        description: "v1",
        url: "https://m.example.com",
      });
      const result = await d.app.update(id, outs, { name: "mobile-app", url: "https://m.example.com" });
      expect(await d.writes()).toEqual([`PATCH ${app(Number(id))} -> 200`]);
      expect(result.outs).not.toHaveProperty("description");
      expect(await live(Number(id))).toMatchObject({ description: null, url: "https://m.example.com" });
    });

    it("on a secretRotation change resets the secret, keeps the client id, and sends no PATCH", async () => {
      const { id, outs } = await created({ name: "mobile-app" });
      const result = await d.app.update(id, outs, { name: "mobile-app", secretRotation: 1 });
      // The reset answers without the application: it is read again for the new secret.
      expect(await d.calls()).toEqual([
        `POST ${app(Number(id))}/secret/reset -> 201`,
        `GET ${app(Number(id))} -> 200`,
      ]);
      const stored = await live(Number(id));
      expect(stored!.clientId).toBe(outs.clientId);
      expect(stored!.clientSecret).not.toBe(outs.clientSecret);
      expect(result.outs).toMatchObject({
        clientId: outs.clientId,
        clientSecret: stored!.clientSecret,
        secretRotation: 1,
      });
    });

    it("with both, patches then resets", async () => {
      const { id, outs } = await created({ name: "mobile-app" });
      await d.app.update(id, outs, { name: "mobile-app-2", secretRotation: "r2" });
      expect(await d.writes()).toEqual([
        `PATCH ${app(Number(id))} -> 200`,
        `POST ${app(Number(id))}/secret/reset -> 201`,
      ]);
      expect(await live(Number(id))).toMatchObject({ name: "mobile-app-2", clientId: outs.clientId });
    });

    it("with redirectUris and grantTypes only reordered, writes nothing", async () => {
      const declared = {
        name: "mobile-app",
        redirectUris: ["https://a.example.com/cb", "https://b.example.com/cb"],
        grantTypes: ["client_credentials", "refresh_token"],
      };
      const { id, outs } = await created(declared);
      await d.app.update(id, outs, {
        ...declared,
        redirectUris: [...declared.redirectUris].reverse(),
        grantTypes: [...declared.grantTypes].reverse(),
      });
      expect(await d.calls()).toEqual([`GET ${app(Number(id))} -> 200`]);
    });
  });

  describe("read", () => {
    it("returns the live values and inputs mirroring them, leaving empty values out", async () => {
      const { id, outs } = await created({
        name: "mobile-app",
        description: "v1",
        url: "https://m.example.com",
      });
      await d.control.changeApplication(Number(id), {
        description: null,
        url: null,
        redirectUri: ["https://ui.example.com/cb"],
      });
      const result = await d.app.read(id, outs);
      expect(result.id).toBe(id);
      expect(result.props).not.toHaveProperty("description");
      expect(result.props).toMatchObject({
        redirectUris: ["https://ui.example.com/cb"],
        clientSecret: outs.clientSecret,
      });
      expect(result.inputs).toEqual({ name: "mobile-app", redirectUris: ["https://ui.example.com/cb"] });
      expect(await d.calls()).toEqual([`GET ${app(Number(id))} -> 200`]);
    });

    it("keeps the applicationId a stack written before 0.2 records, so the first refresh after an upgrade changes nothing", async () => {
      const { id, outs } = await created({ name: "mobile-app" });
      const writtenBefore02 = { ...outs, applicationId: Number(id) };
      await d.clearRequests();
      expect((await d.app.read(id, writtenBefore02)).props).toEqual(writtenBefore02);
      expect((await d.app.read(id, outs)).props).toEqual(outs);
    });

    it("forgets the application (empty id) on a 404 of the application itself", async () => {
      const { id, outs } = await created({ name: "mobile-app" });
      await d.control.deleteApplication(Number(id));
      await d.clearRequests();
      expect(await d.app.read(id, outs)).toEqual({ id: "", props: {} });
      expect(await d.calls()).toEqual([`GET ${app(Number(id))} -> 404`]);
    });

    it.each([
      ["a 403", 403, "forbidden"],
      ["a 500", 500, "server"],
    ])("throws on %s, never forgetting the application", async (_what, status, code) => {
      const { id, outs } = await created({ name: "mobile-app" });
      await d.control.setFaults([
        { method: "GET", path: `/applications/${id}$`, status, headers: { "Retry-After": "0" } },
      ]);
      const failure = await d.app.read(id, outs).catch((error: unknown) => error);
      expect(failure).toMatchObject({ status });
      expect(String((failure as { code?: string }).code)).toContain(code);
      expect(await d.writes()).toEqual([]);
    });
  });

  describe("delete", () => {
    it("deletes the application", async () => {
      const { id, outs } = await created({ name: "mobile-app" });
      await d.app.delete(id, outs);
      expect(await d.calls()).toEqual([`DELETE ${app(Number(id))} -> 204`]);
      expect(await live(Number(id))).toBeUndefined();
    });

    it("succeeds when the application is already gone", async () => {
      const { id, outs } = await created({ name: "mobile-app" });
      await d.control.deleteApplication(Number(id));
      await d.clearRequests();
      await d.app.delete(id, outs);
      expect(await d.calls()).toEqual([`DELETE ${app(Number(id))} -> 404`]);
    });
  });
});
