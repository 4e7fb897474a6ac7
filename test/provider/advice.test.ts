import type * as pulumi from "@pulumi/pulumi";
import { startEmulator, type RunningEmulator } from "../../emulator";
import { SEED } from "../support/harness";

// The client states facts in Anypoint's terms; what a person can do about them in a Pulumi
// program is added by the provider, which is also what the engine prints: the message, without
// a JavaScript stack trace into files the package does not ship.
describe("errors as the provider hands them to the engine", () => {
  let emulator: RunningEmulator;
  let app: pulumi.dynamic.ResourceProvider;
  let contract: pulumi.dynamic.ResourceProvider;

  beforeAll(async () => {
    emulator = await startEmulator({ port: 0 });
    const config: Record<string, string> = {
      "anypoint:baseUrl": emulator.url,
      "anypoint:clientId": SEED.full.clientId,
      "anypoint:clientSecret": SEED.full.clientSecret,
    };
    jest.isolateModules(() => {
      const { providerFor } =
        require("../../provider/implementation") as typeof import("../../provider/implementation");
      app = providerFor("ClientApplication");
      contract = providerFor("ApiContract");
    });
    await app.configure!({ config: { get: (key: string) => config[key] } } as never);
  });

  afterAll(async () => {
    await emulator?.close();
  });

  const failure = async (promise: Promise<unknown>): Promise<Error> => {
    try {
      await promise;
    } catch (error) {
      return error as Error;
    }
    throw new Error("expected a failure");
  };

  it("adds `adopt: true` advice to a duplicate application name, and no stack trace", async () => {
    await app.create({ name: "advised-app" });
    const error = await failure(app.create({ name: "advised-app" }));
    expect(error.message).toMatch(/already exists \(id \d+\): names are unique/);
    expect(error.message).toMatch(
      /Set adopt: true on the ClientApplication to take it over, or choose another name/,
    );
    expect(error.stack).toBe(error.message);
    expect(`${error}`).toBe("pulumi-anypoint");
  });

  it("adds `adopt: true` advice to a second contract for the same pair", async () => {
    const created = await app.create({ name: "advised-contract-app" });
    const inputs = {
      applicationId: Number(created.id),
      environmentId: SEED.sandbox,
      apiInstanceId: SEED.apis.paymentsSandbox,
    };
    await contract.create(inputs);
    const error = await failure(contract.create(inputs));
    expect(error.message).toMatch(/one contract per application and API instance/);
    expect(error.message).toMatch(/Set adopt: true on the ApiContract to take it over/);
  });

  it("tells refused credentials about the recorded configuration of refresh and destroy", async () => {
    const refused = await failure(
      (async () => {
        let isolated!: pulumi.dynamic.ResourceProvider;
        jest.isolateModules(() => {
          isolated = (
            require("../../provider/implementation") as typeof import("../../provider/implementation")
          ).providerFor("ClientApplication");
        });
        const wrong: Record<string, string> = {
          "anypoint:baseUrl": emulator.url,
          "anypoint:clientId": SEED.full.clientId,
          "anypoint:clientSecret": "00000000000000000000000000000000",
        };
        await isolated.configure!({ config: { get: (key: string) => wrong[key] } } as never);
        await isolated.read!("2690001", { masterOrganizationId: SEED.rootOrganizationId });
      })(),
    );
    expect(refused.message).toMatch(/refused the credentials/);
    expect(refused.message).toMatch(
      /pulumi refresh` and `pulumi destroy` use the provider configuration recorded/,
    );
    expect(refused.message).toMatch(/--run-program/);
    expect(refused.message).not.toContain("00000000000000000000000000000000");
  });
});
