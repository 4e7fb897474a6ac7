import { AnypointClient } from "../../client";
import {
  contractRequest,
  failure,
  FAST_RETRIES,
  fullClient,
  readonlyClient,
  SEED,
  useEmulator,
} from "./support";

const PAYMENTS = contractRequest("payments");

describe("403 hints on calls that act on one application", () => {
  const emu = useEmulator();

  it("do not say another identity created an application these credentials just created", async () => {
    // ci-readonly may create applications but lacks Manage Contracts.
    const client = readonlyClient(emu.url);
    const app = await client.createApplication(SEED.org, { name: "made-by-ci" });
    const error = await failure(client.createContract(SEED.org, app.id, PAYMENTS));

    expect(error.status).toBe(403);
    expect(error.hint).toContain("Manage Contracts (manage:api_contracts)");
    expect(error.hint).not.toMatch(/another identity|not created by these credentials/);
    expect(error.hint).not.toContain("manage:client_application ");
  });

  it("say it only conditionally when the client cannot know who created the application", async () => {
    const creator = readonlyClient(emu.url);
    const app = await creator.createApplication(SEED.org, { name: "made-earlier" });
    // Another run (a new process) of the same credentials: it cannot know that it created it.
    const laterRun = readonlyClient(emu.url);
    const error = await failure(laterRun.createContract(SEED.org, app.id, PAYMENTS));

    expect(error.status).toBe(403);
    expect(error.hint).toContain("Manage Contracts (manage:api_contracts)");
    expect(error.hint).not.toMatch(new RegExp(`for application ${app.id} created by another identity`));
    expect(error.hint).toContain(`If application ${app.id} was not created by these credentials`);
    expect(error.hint).toContain("manage:client_application");
  });

  it("name the per-application scope, not Manage Client Applications, for an application's contract list", async () => {
    const error = await failure(fullClient(emu.url).listApplicationContracts(SEED.org, SEED.legacyApp.id));

    expect(error.status).toBe(403);
    expect(error.hint).toContain(`application ${SEED.legacyApp.id}`);
    expect(error.hint).toContain("per-application scope manage:client_application");
    // Manage Client Applications does not let a connected app manage what another identity created.
    expect(error.hint).not.toMatch(/add Manage Client Applications/);
  });

  it("never carry a secret", async () => {
    const client = AnypointClient.fromOptions({ baseUrl: emu.url, ...SEED.readonly, ...FAST_RETRIES }, {});
    const error = await failure(client.listApplicationContracts(SEED.org, SEED.legacyApp.id));
    expect(JSON.stringify(error)).not.toContain(SEED.readonly.clientSecret);
  });
});
