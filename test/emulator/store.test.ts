import { ConflictError, EmulatorRuleError, InvalidRequestError, NotFoundError } from "../../emulator/errors";
import { defaultSeed, parseSeed } from "../../emulator/seed";
import {
  type ApiInstance,
  type Application,
  CONTRACT_ACTIONS,
  type Contract,
  Store,
} from "../../emulator/store";
import { API, LEGACY_APP, LEGACY_CONTRACT, PRODUCTION, ROOT, TIER } from "./support";

/** The store's rules, without HTTP: each refusal is a typed error (docs/anypoint.md sections 2-3). */
describe("the store's rules", () => {
  let store: Store;
  beforeEach(() => {
    store = new Store(parseSeed(defaultSeed()));
  });

  const expectRefusal = (
    action: () => unknown,
    type: typeof InvalidRequestError | typeof NotFoundError | typeof ConflictError,
    message: string,
  ) => {
    let thrown: unknown;
    try {
      action();
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(type);
    expect((thrown as Error).message).toContain(message);
  };
  const api = (id: number): ApiInstance => store.api(id)!;
  const newApp = (name = "consumer"): Application =>
    store.createApplication({
      name,
      description: null,
      url: null,
      redirectUri: [],
      grantTypes: [],
      owner: "tester",
    });
  const contractsOf = (app: Application): Contract[] =>
    store.contracts().filter((contract) => contract.applicationId === app.id);

  describe("the error family", () => {
    it("carries the HTTP status each refusal answers with", () => {
      const errors = [new InvalidRequestError("a"), new NotFoundError("b"), new ConflictError("c")];
      expect(errors.map((error) => error.status)).toEqual([400, 404, 409]);
      expect(errors.every((error) => error instanceof EmulatorRuleError)).toBe(true);
      expect(errors.map((error) => error.name)).toEqual([
        "InvalidRequestError",
        "NotFoundError",
        "ConflictError",
      ]);
    });
  });

  describe("applications", () => {
    it("refuses a second application with a name already taken", () => {
      expectRefusal(
        () => newApp("legacy-mobile-app"),
        ConflictError,
        `An application named 'legacy-mobile-app' already exists (id ${LEGACY_APP})`,
      );
      expect(store.applications()).toHaveLength(1);
    });

    it("refuses to rename an application to another's name, but keeps its own", () => {
      const app = newApp();
      expectRefusal(
        () => store.changeApplication(app, { name: "legacy-mobile-app" }),
        ConflictError,
        "already exists",
      );
      expect(app.name).toBe("consumer");
      expect(store.changeApplication(app, { name: "consumer", url: "https://x" }).url).toBe("https://x");
    });
  });

  describe("the instance a request for access names", () => {
    const target = {
      apiId: String(API.ordersSandbox),
      organizationId: ROOT,
      groupId: ROOT,
      assetId: "orders-api",
      versionGroup: "v1",
    };

    it("is the API instance of the asset it names", () => {
      expect(store.requestedInstance(target).id).toBe(API.ordersSandbox);
    });

    it("must exist", () => {
      expectRefusal(
        () => store.requestedInstance({ ...target, apiId: "999" }),
        NotFoundError,
        "API instance 999 not found",
      );
    });

    it("must be in the environment it names", () => {
      expectRefusal(
        () => store.requestedInstance({ ...target, environmentId: PRODUCTION }),
        InvalidRequestError,
        `API instance ${API.ordersSandbox} is not in environment ${PRODUCTION}`,
      );
    });

    it("must be of the asset and version group it names", () => {
      expectRefusal(
        () => store.requestedInstance({ ...target, versionGroup: "v2" }),
        InvalidRequestError,
        `asset ${ROOT}/orders-api v2 does not match API instance ${API.ordersSandbox}`,
      );
    });
  });

  describe("requesting access", () => {
    it("approves at once, without a tier, on an instance without tiers", () => {
      const contract = store.requestContract(newApp(), api(API.paymentsSandbox));
      expect(contract).toMatchObject({ status: "APPROVED", tierId: null, requestedTierId: null });
      expect(contract.approvedDate).not.toBeNull();
    });

    it("approves at once on an auto-approve tier", () => {
      const contract = store.requestContract(newApp(), api(API.ordersSandbox), TIER.silver);
      expect(contract).toMatchObject({ status: "APPROVED", tierId: TIER.silver, requestedTierId: null });
    });

    it("leaves a request for a tier that needs approval PENDING", () => {
      const contract = store.requestContract(newApp(), api(API.ordersSandbox), TIER.gold);
      expect(contract).toMatchObject({ status: "PENDING", tierId: null, requestedTierId: TIER.gold });
      expect(contract.approvedDate).toBeNull();
    });

    it("requires a tier on an instance with active tiers, naming them", () => {
      const app = newApp();
      expectRefusal(
        () => store.requestContract(app, api(API.ordersSandbox)),
        InvalidRequestError,
        `API instance ${API.ordersSandbox} has SLA tiers; requestedTierId is required (${TIER.gold} Gold, ${TIER.silver} Silver)`,
      );
      expect(contractsOf(app)).toEqual([]);
    });

    it("refuses a tier of another instance", () => {
      expectRefusal(
        () => store.requestContract(newApp(), api(API.ordersSandbox), TIER.customersFree),
        InvalidRequestError,
        `tier ${TIER.customersFree} does not belong to API ${API.ordersSandbox}`,
      );
    });

    it("refuses a deprecated tier", () => {
      expectRefusal(
        () => store.requestContract(newApp(), api(API.ordersSandbox), TIER.bronze),
        InvalidRequestError,
        `tier ${TIER.bronze} (Bronze) is deprecated and takes no new contracts`,
      );
    });

    it("refuses a deprecated instance", () => {
      expectRefusal(
        () => store.requestContract(newApp(), api(API.legacySandbox)),
        InvalidRequestError,
        `API instance ${API.legacySandbox} is deprecated and takes no new contracts`,
      );
    });

    it("allows one contract per application and API instance", () => {
      const app = newApp();
      store.requestContract(app, api(API.paymentsSandbox));
      expectRefusal(
        () => store.requestContract(app, api(API.paymentsSandbox)),
        ConflictError,
        `application ${app.id} already has a contract with API ${API.paymentsSandbox}`,
      );
      expect(contractsOf(app)).toHaveLength(1);
    });
  });

  describe("changing tiers", () => {
    const legacy = () => store.contract(LEGACY_CONTRACT)!;

    it("leaves a consumer's change to a tier that needs approval pending", () => {
      store.changeTier(legacy(), TIER.gold, "consumer");
      expect(legacy()).toMatchObject({ tierId: TIER.silver, requestedTierId: TIER.gold, status: "APPROVED" });
    });

    it("applies a consumer's change to an auto-approve tier at once", () => {
      const contract = store.requestContract(newApp(), api(API.ordersSandbox), TIER.gold);
      store.changeTier(contract, TIER.silver, "consumer");
      expect(contract).toMatchObject({ tierId: TIER.silver, requestedTierId: null });
    });

    it("applies the provider's change at once, even to a tier that needs approval", () => {
      store.changeTier(legacy(), TIER.gold, "provider");
      expect(legacy()).toMatchObject({ tierId: TIER.gold, requestedTierId: null });
    });

    it("refuses a deprecated tier", () => {
      expectRefusal(
        () => store.changeTier(legacy(), TIER.bronze, "provider"),
        InvalidRequestError,
        "is deprecated",
      );
      expect(legacy().tierId).toBe(TIER.silver);
    });
  });

  describe("status changes", () => {
    const pending = () => store.requestContract(newApp(), api(API.ordersSandbox), TIER.gold);
    const legacy = () => store.contract(LEGACY_CONTRACT)!;

    it("names XAPI's four actions", () => {
      expect(CONTRACT_ACTIONS).toEqual(["approve", "reject", "revoke", "restore"]);
    });

    it("revokes (API Manager's PATCH) only an APPROVED contract", () => {
      const contract = pending();
      expectRefusal(
        () => store.revokeContract(contract),
        ConflictError,
        `contract ${contract.id} is PENDING; only an APPROVED contract can be revoked`,
      );
      store.revokeContract(legacy());
      expect(legacy().status).toBe("REVOKED");
      expect(legacy().revokedDate).not.toBeNull();
    });

    it("approves a pending contract on the tier it asked for", () => {
      const contract = store.transitionContract(pending(), "approve");
      expect(contract).toMatchObject({ status: "APPROVED", tierId: TIER.gold, requestedTierId: null });
    });

    it("approves an APPROVED contract only to take up a pending tier change", () => {
      expectRefusal(
        () => store.transitionContract(legacy(), "approve"),
        ConflictError,
        `contract ${LEGACY_CONTRACT} is APPROVED; it cannot be approved`,
      );
      store.changeTier(legacy(), TIER.gold, "consumer");
      store.transitionContract(legacy(), "approve");
      expect(legacy()).toMatchObject({ status: "APPROVED", tierId: TIER.gold, requestedTierId: null });
    });

    it("rejects only a pending contract", () => {
      expectRefusal(
        () => store.transitionContract(legacy(), "reject"),
        ConflictError,
        `contract ${LEGACY_CONTRACT} is APPROVED; it cannot be rejected`,
      );
      const contract = store.transitionContract(pending(), "reject");
      expect(contract.status).toBe("REJECTED");
      expect(contract.rejectedDate).not.toBeNull();
    });

    it("revokes (XAPI) only an approved contract and restores only a revoked one", () => {
      const contract = pending();
      expectRefusal(
        () => store.transitionContract(contract, "revoke"),
        ConflictError,
        "is PENDING; it cannot be revoked",
      );
      expectRefusal(
        () => store.transitionContract(legacy(), "restore"),
        ConflictError,
        "is APPROVED; it cannot be restored",
      );
      store.transitionContract(legacy(), "revoke");
      expect(legacy().status).toBe("REVOKED");
      store.transitionContract(legacy(), "restore");
      expect(legacy().status).toBe("APPROVED");
    });

    it("deletes a contract only once it no longer grants access", () => {
      expectRefusal(
        () => store.deleteInactiveContract(legacy()),
        ConflictError,
        `contract ${LEGACY_CONTRACT} is APPROVED; revoke it before deleting it`,
      );
      expect(store.contract(LEGACY_CONTRACT)).toBeDefined();
      store.deleteInactiveContract(store.revokeContract(legacy()));
      expect(store.contract(LEGACY_CONTRACT)).toBeUndefined();
    });
  });
});
