import { startEmulator, type RunningEmulator } from "../../emulator";
import { SEED } from "../support/harness";
import { emulatorState, exampleStack, type ExampleStack } from "./exampleProject";

// examples/quickstart, run as a user runs it: its own Pulumi.yaml and index.ts, the real engine.
describe("examples/quickstart", () => {
  let emulator: RunningEmulator;
  let example: ExampleStack;

  beforeAll(async () => {
    emulator = await startEmulator({ port: 0 });
    example = await exampleStack("quickstart", emulator.url, {
      "anypoint-quickstart:environmentId": { value: SEED.sandbox },
    });
  });

  afterAll(async () => {
    await example?.remove();
    await emulator?.close();
  });

  it("creates one application with approved contracts to orders-api (Silver) and payments-api", async () => {
    const result = await example.stack.up();
    expect(result.summary.result).toBe("succeeded");
    expect(result.summary.resourceChanges).toEqual({ create: 4 });

    const outputs = result.outputs;
    expect(outputs.clientSecret.secret).toBe(true);
    expect(outputs.contracts.value).toEqual({
      orders: { contractId: expect.any(Number), status: "APPROVED", tierId: SEED.tiers.ordersSilver },
      payments: { contractId: expect.any(Number), status: "APPROVED" },
    });

    const state = await emulatorState(emulator.url);
    const app = state.applications.find((a) => a.name === "orders-dashboard");
    expect(app).toMatchObject({ id: outputs.applicationId.value, clientId: outputs.clientId.value });
    const contracts = state.contracts.filter((c) => c.applicationId === app!.id);
    expect(contracts.map((c) => [c.apiId ?? c.apiInstanceId, c.status]).sort()).toEqual([
      [SEED.apis.ordersSandbox, "APPROVED"],
      [SEED.apis.paymentsSandbox, "APPROVED"],
    ]);
  });

  it("changes nothing on a second up", async () => {
    const result = await example.stack.up();
    expect(result.summary.resourceChanges).toEqual({ same: 4 });
  });

  it("leaves nothing behind after destroy", async () => {
    const { applicationId } = await example.stack.outputs();
    const result = await example.stack.destroy();
    expect(result.summary.resourceChanges).toEqual({ delete: 4 });

    const state = await emulatorState(emulator.url);
    expect(state.applications.map((a) => a.name)).not.toContain("orders-dashboard");
    expect(state.contracts.filter((c) => c.applicationId === applicationId.value)).toEqual([]);
  });
});
