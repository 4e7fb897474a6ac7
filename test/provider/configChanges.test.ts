import { controlRequest, startEmulator, type RunningEmulator } from "../../emulator";
import { Harness, SEED, writes } from "../support/harness";

// Pulumi records the provider configuration with the stack, and `refresh` and `destroy` without
// the program use that recorded copy. Credentials must still take effect when they change, and a
// resource must stay with the control plane it lives in, whatever the stack config names later.
describe("changes of the stack config after resources exist", () => {
  let harness: Harness;
  const ROTATED = "0123456789abcdefABCDEF0123456789";

  beforeAll(async () => {
    harness = await Harness.start();
    await harness.declare({
      applications: [{ key: "app", name: "config-change-app", description: "as declared" }],
      contracts: [
        {
          key: "payments",
          application: "app",
          environmentId: SEED.sandbox,
          apiInstanceId: SEED.apis.paymentsSandbox,
        },
      ],
    });
    const up = await harness.stack.up();
    expect(up.summary.resourceChanges).toEqual({ create: 3 });
  });

  afterAll(async () => {
    await harness?.close();
  });

  describe("a rotated connected-app secret", () => {
    beforeAll(async () => {
      await harness.control("POST", `/connected-apps/${SEED.full.clientId}/secret`, {
        clientSecret: ROTATED,
      });
      await harness.useCredentials({ clientId: SEED.full.clientId, clientSecret: ROTATED });
    });

    it("fails a plain refresh with the reason and what to do, and forgets nothing", async () => {
      const before = await resources();
      await expect(harness.stack.refresh()).rejects.toThrow(/refused the credentials[\s\S]*--run-program/);
      expect(await resources()).toEqual(before);
      expect(before).toHaveLength(4);
    });

    it("works for refresh --run-program (what the drift check runs) without an up", async () => {
      await harness.control("PATCH", `/applications/${await applicationId()}`, {
        description: "edited in the UI",
      });
      const refresh = await harness.stack.refresh({ runProgram: true });
      expect(refresh.summary.resourceChanges).toMatchObject({ update: 1 });
    });

    it("works for pulumi up, which records the new configuration", async () => {
      const up = await harness.stack.up();
      expect(up.summary.result).toBe("succeeded");
      expect(
        (await harness.state()).applications.find((a) => a.name === "config-change-app")?.description,
      ).toBe("as declared");
    });
  });

  describe("anypoint:baseUrl pointed at another control plane", () => {
    let elsewhere: RunningEmulator;

    beforeAll(async () => {
      elsewhere = await startEmulator({ port: 0 });
      await harness.stack.setConfig("anypoint:baseUrl", { value: elsewhere.url });
    });

    afterAll(async () => {
      await harness.stack.setConfig("anypoint:baseUrl", { value: harness.url });
      await elsewhere?.close();
    });

    it("refuses the up before anything is written, naming both control planes", async () => {
      await harness.clearRequests();
      await expect(harness.stack.up()).rejects.toThrow(
        new RegExp(`lives in ${escape(harness.url)}, but anypoint:baseUrl is now ${escape(elsewhere.url)}`),
      );
      expect(writes(await harness.requests())).toEqual([]);
      expect(writes(await requestsAt(elsewhere.url))).toEqual([]);
    });

    it("destroys where the objects live (the recorded control plane), never at the new URL", async () => {
      const destroy = await harness.stack.destroy();
      expect(destroy.summary.resourceChanges).toEqual({ delete: 3 });
      expect((await harness.state()).applications.map((a) => a.name)).not.toContain("config-change-app");
      expect(writes(await requestsAt(elsewhere.url))).toEqual([]);
    });
  });

  /** The stack's resources as recorded: type, id and the outputs that are not secrets. */
  async function resources(): Promise<unknown[]> {
    const state = JSON.parse(await harness.local.exportState()) as {
      deployment: { resources: { urn: string; id?: string; outputs?: Record<string, unknown> }[] };
    };
    // Secrets are encrypted again with a new nonce on every write: compare them as present, not by text.
    const masked = JSON.stringify(state.deployment.resources, (_key, value: unknown) =>
      value && typeof value === "object" && "ciphertext" in value ? "[secret]" : value,
    );
    return (JSON.parse(masked) as typeof state.deployment.resources).map(({ urn, id, outputs }) => ({
      urn,
      id,
      outputs,
    }));
  }

  async function applicationId(): Promise<number> {
    const app = (await harness.state()).applications.find((a) => a.name === "config-change-app");
    if (!app) throw new Error("the application is missing");
    return app.id;
  }
});

async function requestsAt(url: string): Promise<{ method: string; path: string; status: number }[]> {
  return (
    await controlRequest<{ requests: { method: string; path: string; status: number }[] }>(
      url,
      "GET",
      "/requests",
    )
  ).requests;
}

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}
