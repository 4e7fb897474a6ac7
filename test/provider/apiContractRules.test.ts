import type { ApiContractState } from "../../provider/impl/apiContractProvider";
import { UNKNOWN } from "../../provider/inputs";
import { type Direct, type DiffRow, paths, same, startDirect, update } from "../support/direct";
import { offlineProviders } from "../support/direct";
import { SEED } from "../support/harness";

// ApiContract's rules, called directly: diff on recorded state and new inputs (no I/O), then
// create/update/read/delete against an in-process emulator, asserting what reached Anypoint.

const BUSINESS_GROUP = "a1b2c3d4-0000-4000-8000-00000000b001";
const { ordersGold: GOLD, ordersSilver: SILVER, ordersBronzeDeprecated: BRONZE } = SEED.tiers;
const ORDERS = SEED.apis.ordersSandbox;

/** What the stack records for an approved Silver contract on orders-api Sandbox. */
const recorded: ApiContractState = {
  applicationId: 2700001,
  environmentId: SEED.sandbox,
  apiInstanceId: ORDERS,
  status: "APPROVED",
  tierId: SILVER,
  apiOrganizationId: SEED.rootOrganizationId,
};
const declared = {
  applicationId: 2700001,
  environmentId: SEED.sandbox,
  apiInstanceId: ORDERS,
  tierId: SILVER,
};

/** A replacement; the old contract goes first when the new one is for the same application and API instance. */
const replace = (deleteBeforeReplace: boolean, ...keys: string[]) => ({
  changes: true,
  replaces: keys,
  deleteBeforeReplace,
});

const DIFF_ROWS: DiffRow<ApiContractState>[] = [
  { rule: "nothing changed", olds: {}, news: declared, expected: same },
  {
    rule: "another application replaces, both may coexist",
    olds: {},
    news: { ...declared, applicationId: 2700002 },
    expected: replace(false, "applicationId"),
  },
  {
    rule: "another API instance replaces, both may coexist",
    olds: {},
    news: { ...declared, apiInstanceId: SEED.apis.customersSandbox, tierId: SEED.tiers.customersFree },
    expected: replace(false, "apiInstanceId"),
  },
  {
    rule: "another environment replaces, old one deleted first (same application and instance)",
    olds: {},
    news: { ...declared, environmentId: SEED.production },
    expected: replace(true, "environmentId"),
  },
  {
    rule: "the environment in another case is the same one",
    olds: {},
    news: { ...declared, environmentId: SEED.sandbox.toUpperCase() },
    expected: same,
  },
  {
    rule: "another organization replaces, old one deleted first",
    olds: {},
    news: { ...declared, organizationId: BUSINESS_GROUP },
    expected: replace(true, "organizationId"),
  },
  {
    rule: "the root organization named explicitly",
    olds: {},
    news: { ...declared, organizationId: SEED.rootOrganizationId },
    expected: same,
  },
  {
    rule: "a REJECTED contract is replaced by a new request",
    olds: { status: "REJECTED" },
    news: declared,
    expected: replace(true, "status"),
  },
  {
    rule: "a REJECTED contract moved to another application: both reasons, no delete first",
    olds: { status: "REJECTED" },
    news: { ...declared, applicationId: 2700002 },
    expected: replace(false, "applicationId", "status"),
  },
  {
    rule: "a REVOKED contract is restored in place",
    olds: { status: "REVOKED" },
    news: declared,
    expected: update,
  },
  { rule: "a tier change updates in place", olds: {}, news: { ...declared, tierId: GOLD }, expected: update },
  {
    rule: "no tierId declared: the tier is not managed",
    olds: {},
    news: { ...declared, tierId: undefined },
    expected: same,
  },
  {
    rule: "a PENDING request for the declared tier, without approve",
    olds: { status: "PENDING", tierId: undefined, requestedTierId: GOLD },
    news: { ...declared, tierId: GOLD },
    expected: same,
  },
  {
    rule: "a PENDING request with approve: approve it",
    olds: { status: "PENDING", tierId: undefined, requestedTierId: GOLD },
    news: { ...declared, tierId: GOLD, approve: true },
    expected: update,
  },
  {
    rule: "a pending tier change with approve: approve it",
    olds: { requestedTierId: GOLD },
    news: { ...declared, tierId: GOLD, approve: true },
    expected: update,
  },
  {
    rule: "a pending tier change without approve",
    olds: { requestedTierId: GOLD },
    news: { ...declared, tierId: GOLD },
    expected: same,
  },
  {
    rule: "back to the tier in force while a change is pending",
    olds: { requestedTierId: GOLD },
    news: declared,
    expected: update,
  },
  {
    rule: "approve on an APPROVED contract changes nothing",
    olds: {},
    news: { ...declared, approve: true },
    expected: same,
  },
  {
    rule: "acceptedTerms and adopt change nothing",
    olds: {},
    news: { ...declared, acceptedTerms: true, adopt: true },
    expected: same,
  },
  {
    rule: "an application id unknown at preview shows an update, not a replace",
    olds: {},
    news: { ...declared, applicationId: UNKNOWN },
    expected: update,
  },
  {
    rule: "an unknown application id and another instance: replaced, no delete first",
    olds: {},
    news: {
      ...declared,
      applicationId: UNKNOWN,
      apiInstanceId: SEED.apis.paymentsSandbox,
      tierId: undefined,
    },
    expected: replace(false, "apiInstanceId"),
  },
];

describe("ApiContract diff", () => {
  it.each(DIFF_ROWS.map((row) => [row.rule, row] as const))("%s", async (_rule, row) => {
    const diff = await offlineProviders().contract.diff("7340001", { ...recorded, ...row.olds }, row.news);
    expect(diff).toEqual(row.expected);
  });
});

describe("ApiContract against the emulator", () => {
  let d: Direct;
  let applicationId: number;

  beforeEach(async () => {
    d = await startDirect();
    applicationId = Number((await d.app.create({ name: "contract-rules-app" })).id);
    await d.clearRequests();
  });

  afterEach(async () => {
    await d?.close();
  });

  const inputs = (extra: Record<string, unknown> = {}) => ({
    applicationId,
    environmentId: SEED.sandbox,
    apiInstanceId: ORDERS,
    ...extra,
  });
  const contractPath = (id: number | string, apiId = ORDERS) =>
    paths.apiContract(SEED.sandbox, apiId, Number(id));
  const action = (id: number | string, what: string, apiId = ORDERS) =>
    paths.contractAction(SEED.sandbox, apiId, Number(id), what);
  const liveContract = async (id: number | string) =>
    (await d.control.state()).contracts.find((c) => c.id === Number(id));

  async function created(extra: Record<string, unknown>): Promise<{ id: string; outs: ApiContractState }> {
    const result = await d.contract.create(inputs(extra));
    await d.clearRequests();
    return result as { id: string; outs: ApiContractState };
  }

  describe("create", () => {
    it("requests access to an instance without tiers: approved at once, one write", async () => {
      const result = await d.contract.create(inputs({ apiInstanceId: SEED.apis.paymentsSandbox }));
      expect(await d.writes()).toEqual([`POST ${paths.applicationContracts(applicationId)} -> 201`]);
      // Nothing that can be derived: the id, the client id, the instance's asset coordinates.
      expect(result.outs).toEqual({
        applicationId,
        environmentId: SEED.sandbox,
        apiInstanceId: SEED.apis.paymentsSandbox,
        status: "APPROVED",
        apiOrganizationId: SEED.rootOrganizationId,
        baseUrl: d.url,
      });
      expect(await liveContract(result.id)).toMatchObject({
        status: "APPROVED",
        apiId: SEED.apis.paymentsSandbox,
      });
    });

    it("leaves a request for a tier that needs approval PENDING without approve", async () => {
      const result = await d.contract.create(inputs({ tierId: GOLD }));
      expect(await d.writes()).toEqual([`POST ${paths.applicationContracts(applicationId)} -> 201`]);
      expect(result.outs).toMatchObject({ status: "PENDING", requestedTierId: GOLD });
      expect(result.outs).not.toHaveProperty("tierId");
      expect(await liveContract(result.id)).toMatchObject({ status: "PENDING", requestedTierId: GOLD });
    });

    it("approves it as the API owner with approve", async () => {
      const result = await d.contract.create(inputs({ tierId: GOLD, approve: true }));
      expect(await d.writes()).toEqual([
        `POST ${paths.applicationContracts(applicationId)} -> 201`,
        `POST ${action(result.id, "approve")} -> 201`,
      ]);
      expect(result.outs).toMatchObject({ status: "APPROVED", tierId: GOLD });
      expect(await liveContract(result.id)).toMatchObject({ status: "APPROVED", tierId: GOLD });
    });

    it("records a contract whose approval was refused as a partial create (id and properties)", async () => {
      await d.control.setFaults([{ method: "POST", path: "/approve$", status: 403 }]);
      const failure = (await d.contract
        .create(inputs({ tierId: GOLD, approve: true }))
        .catch((e: unknown) => e)) as {
        id: string;
        properties: Record<string, unknown>;
        message: string;
      };
      expect(failure.message).toMatch(/requested but not approved; it is recorded/);
      const live = await liveContract(failure.id);
      expect(live).toMatchObject({ status: "PENDING", requestedTierId: GOLD });
      expect(failure.id).toBe(String(live!.id));
      expect(failure.properties).toMatchObject({
        status: "PENDING",
        requestedTierId: GOLD,
      });
    });

    it.each([
      [
        "no tierId on an instance with tiers",
        {},
        /has SLA tiers, so tierId is required\. Tiers: 5100101 "Gold" \(needs approval\), 5100102 "Silver" \(auto-approve\)\./,
      ],
      [
        "a deprecated tier",
        { tierId: BRONZE },
        /tier 5100103 "Bronze" of API instance 18800101 .* is deprecated/,
      ],
      [
        "a tier of another instance",
        { tierId: SEED.tiers.customersFree },
        /tierId 5100104 is not a tier of API instance 18800101/,
      ],
      [
        "a tierId on an instance without tiers",
        { apiInstanceId: SEED.apis.paymentsSandbox, tierId: GOLD },
        /has no SLA tiers; remove tierId/,
      ],
      [
        "a deprecated instance",
        { apiInstanceId: SEED.apis.legacySandbox },
        /API instance 18800104 .* is deprecated and takes no new contracts/,
      ],
    ])("refuses %s before any write", async (_what, extra, message) => {
      await expect(d.contract.create(inputs(extra))).rejects.toThrow(message);
      expect(await d.writes()).toEqual([]);
    });

    it("with adopt, takes over the application's existing contract without a request", async () => {
      const first = await created({ tierId: SILVER });
      const adopted = await d.contract.create(inputs({ tierId: SILVER, adopt: true }));
      expect(adopted.id).toBe(first.id);
      expect(adopted.outs).toMatchObject({ status: "APPROVED", tierId: SILVER, adopt: true });
      expect(await d.writes()).toEqual([]);
    });
  });

  describe("update", () => {
    it("restores a REVOKED contract", async () => {
      const { id, outs } = await created({ tierId: SILVER });
      await d.control.changeContract(Number(id), { status: "REVOKED" });
      const result = await d.contract.update(id, { ...outs, status: "REVOKED" }, inputs({ tierId: SILVER }));
      expect(await d.calls()).toEqual([`POST ${action(id, "restore")} -> 201`]);
      expect(result.outs).toMatchObject({ status: "APPROVED", tierId: SILVER });
      expect(await liveContract(id)).toMatchObject({ status: "APPROVED", tierId: SILVER });
    });

    it("approves a PENDING contract when approve is set", async () => {
      const { id, outs } = await created({ tierId: GOLD });
      const result = await d.contract.update(id, outs, inputs({ tierId: GOLD, approve: true }));
      expect(await d.calls()).toEqual([`POST ${action(id, "approve")} -> 201`]);
      expect(result.outs).toMatchObject({ status: "APPROVED", tierId: GOLD, approve: true });
      expect(result.outs).not.toHaveProperty("requestedTierId");
      expect(await liveContract(id)).toMatchObject({ status: "APPROVED", tierId: GOLD });
    });

    it("leaves a PENDING contract alone without approve", async () => {
      const { id, outs } = await created({ tierId: GOLD });
      const result = await d.contract.update(id, outs, inputs({ tierId: GOLD }));
      expect(await d.calls()).toEqual([]);
      expect(result.outs).toMatchObject({ status: "PENDING", requestedTierId: GOLD });
    });

    it("changes the tier directly as the API owner (approve)", async () => {
      const { id, outs } = await created({ tierId: SILVER });
      const result = await d.contract.update(id, outs, inputs({ tierId: GOLD, approve: true }));
      expect(await d.writes()).toEqual([`PATCH ${contractPath(id)} -> 200`]);
      expect(result.outs).toMatchObject({ status: "APPROVED", tierId: GOLD });
      expect(result.outs).not.toHaveProperty("requestedTierId");
      expect(await liveContract(id)).toMatchObject({
        status: "APPROVED",
        tierId: GOLD,
        requestedTierId: null,
      });
    });

    it("requests a tier change as the consumer (no approve): pending, and no further change to make", async () => {
      const { id, outs } = await created({ tierId: SILVER });
      const result = await d.contract.update(id, outs, inputs({ tierId: GOLD }));
      expect(await d.writes()).toEqual([`PATCH ${paths.applicationContracts(applicationId)}/${id} -> 200`]);
      expect(result.outs).toMatchObject({ status: "APPROVED", tierId: SILVER, requestedTierId: GOLD });
      expect(await liveContract(id)).toMatchObject({
        status: "APPROVED",
        tierId: SILVER,
        requestedTierId: GOLD,
      });
      // The next run sees the request awaiting approval, not a change to make again.
      expect(await d.contract.diff(id, result.outs, inputs({ tierId: GOLD }))).toMatchObject({
        changes: false,
      });
    });

    it("restores a REVOKED contract before changing its tier", async () => {
      const { id, outs } = await created({ tierId: SILVER });
      await d.control.changeContract(Number(id), { status: "REVOKED" });
      await d.contract.update(id, { ...outs, status: "REVOKED" }, inputs({ tierId: GOLD, approve: true }));
      expect(await d.writes()).toEqual([
        `POST ${action(id, "restore")} -> 201`,
        `PATCH ${contractPath(id)} -> 200`,
      ]);
      expect(await liveContract(id)).toMatchObject({ status: "APPROVED", tierId: GOLD });
    });

    it("refuses a change to a deprecated tier before any write", async () => {
      const { id, outs } = await created({ tierId: SILVER });
      await expect(d.contract.update(id, outs, inputs({ tierId: BRONZE, approve: true }))).rejects.toThrow(
        /deprecated/,
      );
      expect(await d.writes()).toEqual([]);
      expect(await liveContract(id)).toMatchObject({ status: "APPROVED", tierId: SILVER });
    });
  });

  describe("read", () => {
    const listPath = () => paths.applicationContracts(applicationId);

    it("reads the contract from its application's list, with inputs mirroring it", async () => {
      const { id, outs } = await created({ tierId: SILVER });
      const result = await d.contract.read(id, outs);
      expect(await d.calls()).toEqual([`GET ${listPath()} -> 200`]);
      expect(result.id).toBe(id);
      expect(result.props).toMatchObject({ status: "APPROVED", tierId: SILVER });
      expect(result.inputs).toEqual({
        applicationId,
        environmentId: SEED.sandbox,
        apiInstanceId: ORDERS,
        tierId: SILVER,
      });
    });

    it("keeps the outputs a stack written before 0.2 records, so the first refresh after an upgrade changes nothing", async () => {
      const { id, outs } = await created({ tierId: SILVER });
      const writtenBefore02 = {
        ...outs,
        contractId: Number(id),
        clientId: "84e0dae60eee192888d8c2556aeb69ec",
        groupId: SEED.rootOrganizationId,
        assetId: "orders-api",
        assetVersion: "1.2.0",
        productVersion: "v1",
      };
      const result = await d.contract.read(id, writtenBefore02);
      expect(result.props).toEqual(writtenBefore02);
    });

    it("reports a contract revoked out of band", async () => {
      const { id, outs } = await created({ tierId: SILVER });
      await d.control.changeContract(Number(id), { status: "REVOKED" });
      const result = await d.contract.read(id, outs);
      expect(result.props).toMatchObject({ status: "REVOKED" });
    });

    it("forgets the contract (empty id) only after a 404 of the contract itself", async () => {
      const { id, outs } = await created({ tierId: SILVER });
      await d.control.deleteContract(Number(id));
      await d.clearRequests();
      expect(await d.contract.read(id, outs)).toEqual({ id: "", props: {} });
      expect(await d.calls()).toEqual([`GET ${listPath()} -> 200`, `GET ${contractPath(id)} -> 404`]);
    });

    it.each([
      ["403 (another identity's application)", 403],
      ["404 (proves nothing of the contract)", 404],
    ])("asks the contract itself when the application's list answers %s", async (_what, status) => {
      const { id, outs } = await created({ tierId: SILVER });
      await d.control.setFaults([
        { method: "GET", path: `/applications/${applicationId}/contracts$`, status },
      ]);
      const result = await d.contract.read(id, outs);
      expect(await d.calls()).toEqual([`GET ${listPath()} -> ${status}`, `GET ${contractPath(id)} -> 200`]);
      expect(result).toMatchObject({ id, props: { status: "APPROVED", tierId: SILVER } });
    });

    it.each([
      ["a 403", 403],
      ["a 500", 500],
    ])("throws when the contract itself answers %s, never forgetting it", async (_what, status) => {
      const { id, outs } = await created({ tierId: SILVER });
      await d.control.deleteContract(Number(id)); // absent from the list: the contract itself decides
      await d.control.setFaults([
        { method: "GET", path: `/contracts/${id}$`, status, headers: { "Retry-After": "0" } },
      ]);
      await expect(d.contract.read(id, outs)).rejects.toMatchObject({ status });
    });
  });

  describe("delete", () => {
    // The recorded status decides the first step; a refusal means it changed outside Pulumi, and
    // only then is the contract read.
    it.each([
      ["revokes an APPROVED contract, then deletes it: two requests", undefined, [["revoke", 201]]],
      [
        "rejects a contract found PENDING after the revoke is refused, then deletes it",
        "PENDING",
        [
          ["revoke", 409],
          ["reject", 201],
        ],
      ],
      ["deletes a contract found REVOKED after the revoke is refused", "REVOKED", [["revoke", 409]]],
    ] as const)("%s", async (_what, status, steps) => {
      const { id, outs } = await created({ tierId: SILVER });
      if (status) {
        await d.control.changeContract(Number(id), {
          status,
          ...(status === "PENDING" ? { tierId: null, requestedTierId: GOLD } : {}),
        });
      }
      await d.clearRequests();
      await d.contract.delete(id, outs);
      const reads = status ? [`GET ${contractPath(id)} -> 200`] : [];
      const [first, ...then] = steps.map(([step, code]) => `POST ${action(id, step)} -> ${code}`);
      expect(await d.calls()).toEqual([first, ...reads, ...then, `DELETE ${contractPath(id)} -> 204`]);
      expect(await liveContract(id)).toBeUndefined();
    });

    it("deletes a contract recorded REVOKED at once, and revokes one approved again outside Pulumi first", async () => {
      const { id, outs } = await created({ tierId: SILVER });
      await d.control.changeContract(Number(id), { status: "REVOKED" });
      const recorded = { ...outs, status: "REVOKED" };
      await d.clearRequests();
      await d.contract.delete(id, recorded);
      expect(await d.calls()).toEqual([`DELETE ${contractPath(id)} -> 204`]);

      const again = await created({ tierId: SILVER });
      await d.clearRequests();
      await d.contract.delete(again.id, { ...again.outs, status: "REVOKED" });
      expect(await d.calls()).toEqual([
        `DELETE ${contractPath(again.id)} -> 409`,
        `GET ${contractPath(again.id)} -> 200`,
        `POST ${action(again.id, "revoke")} -> 201`,
        `DELETE ${contractPath(again.id)} -> 204`,
      ]);
      expect(await liveContract(again.id)).toBeUndefined();
    });

    it("succeeds, changing nothing, when the contract is already gone: its own GET answers 404", async () => {
      const { id, outs } = await created({ tierId: SILVER });
      await d.control.deleteContract(Number(id));
      await d.clearRequests();
      await d.contract.delete(id, outs);
      expect(await d.calls()).toEqual([
        `POST ${action(id, "revoke")} -> 404`,
        `GET ${contractPath(id)} -> 404`,
      ]);
    });

    it("throws, and keeps the contract, when the revoke is forbidden (403)", async () => {
      const { id, outs } = await created({ tierId: SILVER });
      await d.control.setFaults([{ method: "POST", path: `/contracts/${id}/revoke$`, status: 403 }]);
      await d.clearRequests();
      await expect(d.contract.delete(id, outs)).rejects.toMatchObject({ status: 403 });
      expect(await d.calls()).toEqual([`POST ${action(id, "revoke")} -> 403`]);
      expect(await liveContract(id)).toMatchObject({ status: "APPROVED" });
    });

    it("throws, and keeps the contract, when a refused step's contract cannot be read (403)", async () => {
      const { id, outs } = await created({ tierId: SILVER });
      await d.control.changeContract(Number(id), { status: "REVOKED" });
      await d.control.setFaults([{ method: "GET", path: `/contracts/${id}$`, status: 403 }]);
      await expect(d.contract.delete(id, outs)).rejects.toMatchObject({ status: 403 });
      expect(await liveContract(id)).toMatchObject({ status: "REVOKED" });
    });
  });
});
