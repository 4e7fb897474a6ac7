import { PIPELINE, scopesOfApp } from "../../client/scopes";
import { controlClient, defaultSeed, type RunningEmulator, startEmulator } from "../../emulator";
import { type ApiContractState, makeApiContractProvider } from "../../provider/impl/apiContractProvider";
import {
  type ClientApplicationState,
  makeClientApplicationProvider,
} from "../../provider/impl/clientApplicationProvider";
import { ProviderContext } from "../../provider/impl/context";
import { SEED } from "../support/harness";

// examples/gitops: the read-only connected app, with exactly the scopes the scope table gives it,
// refreshes what the deploy app created (the drift check) and can change nothing.

const context = new ProviderContext();
const clientApplicationProvider = makeClientApplicationProvider(context);
const apiContractProvider = makeApiContractProvider(context);

const READ_ONLY = {
  clientId: "3f7b4c2d0e5a6b9c8d1e2f3a4b5c6d74",
  clientSecret: "E5f6A7b8C9d0E1f2A3b4C5d6E7f8A9b0",
};

describe("examples/gitops read-only connected app", () => {
  let emulator: RunningEmulator;
  const use = (credentials: { clientId: string; clientSecret: string }) => {
    const config: Record<string, string> = {
      "anypoint:baseUrl": emulator.url,
      "anypoint:clientId": credentials.clientId,
      "anypoint:clientSecret": credentials.clientSecret,
    };
    context.configure({ get: (key) => config[key] });
  };

  beforeAll(async () => {
    emulator = await startEmulator({ port: 0 });
    const seed = defaultSeed();
    const scopes = ["profile", ...scopesOfApp(PIPELINE.readOnly, "others").map((scope) => scope.scope)];
    await controlClient(emulator.url).reset({
      ...seed,
      connectedApps: [
        ...seed.connectedApps,
        { ...READ_ONLY, name: "gitops-read-only", organizationId: SEED.rootOrganizationId, scopes },
      ],
    });
  });

  afterAll(() => emulator?.close());

  it("refreshes the applications and contracts the deploy app created, and sees a change made in the UI", async () => {
    use(SEED.full);
    const app = await clientApplicationProvider.create!({
      name: "gitops-portal",
      grantTypes: ["client_credentials"],
    });
    const contract = await apiContractProvider.create!({
      applicationId: Number(app.id),
      environmentId: SEED.sandbox,
      apiInstanceId: SEED.apis.customersSandbox,
      tierId: SEED.tiers.customersFree,
      acceptedTerms: true,
    });
    await controlClient(emulator.url).changeApplication(Number(app.id), { description: "edited in the UI" });
    await controlClient(emulator.url).changeContract(Number(contract.id), { status: "REVOKED" });

    use(READ_ONLY);
    const appRead = await clientApplicationProvider.read!(app.id, app.outs as ClientApplicationState);
    expect(appRead.id).toBe(app.id);
    expect(appRead.props?.description).toBe("edited in the UI");
    expect(appRead.props?.clientSecret).toBe((app.outs as ClientApplicationState).clientSecret);
    const contractRead = await apiContractProvider.read!(contract.id, contract.outs as ApiContractState);
    expect(contractRead.id).toBe(contract.id);
    expect(contractRead.props?.status).toBe("REVOKED");
  });

  it("cannot change anything", async () => {
    use(READ_ONLY);
    await expect(
      clientApplicationProvider.create!({ name: "not-allowed", grantTypes: ["client_credentials"] }),
    ).rejects.toThrow(/403/);
  });
});
