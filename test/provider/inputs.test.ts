import { apiContractInputs, clientApplicationInputs, UNKNOWN, validateInputs } from "../../provider/inputs";
import { offlineProviders } from "../support/direct";

const APP_OUTPUTS = ["applicationId", "clientId", "clientSecret", "masterOrganizationId"];

describe("ClientApplication inputs", () => {
  const check = (news: Record<string, unknown>) => validateInputs(clientApplicationInputs, news, APP_OUTPUTS);

  it("accepts a full, valid declaration and keeps it as declared", () => {
    const news = {
      name: "mobile-app",
      description: "Mobile banking",
      url: "https://mobile.example.com",
      redirectUris: ["https://mobile.example.com/cb", "com.example.mobile:/oauth"],
      grantTypes: ["client_credentials", "authorization_code"],
      apiEndpoints: false,
      apiInstanceId: 18800101,
      organizationId: "7f3c2a91-4d8e-4b6a-9c1f-2e5d8a7b3c10",
      secretRotation: 2,
      adopt: true,
    };
    expect(check(news)).toEqual({ inputs: news, failures: [] });
  });

  it.each([
    [{}, "name", "is required"],
    [{ name: "   " }, "name", "blank"],
    [{ name: "x".repeat(256) }, "name", "at most 255"],
    [{ name: "a\u0007b" }, "name", "control characters"],
    [{ name: "ok", grantTypes: ["magic"] }, "grantTypes.0", "must be one of"],
    [{ name: "ok", url: "ftp://example.com" }, "url", "http(s) URL"],
    [{ name: "ok", redirectUris: ["not a uri"] }, "redirectUris.0", "absolute URI"],
    [{ name: "ok", apiInstanceId: -1 }, "apiInstanceId", "positive"],
    [{ name: "ok", apiInstanceId: 1.5 }, "apiInstanceId", "whole number"],
    [{ name: "ok", organizationId: "../admin" }, "organizationId", "UUID"],
    [{ name: "ok", apiEndpoints: "yes" }, "apiEndpoints", "true or false"],
    [{ name: "ok", colour: "blue" }, "colour", "unknown input"],
    [{ name: 42 }, "name", "string"],
  ])("refuses %j, naming %s", (news, property, reason) => {
    const { failures } = check(news);
    expect(failures).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          property: expect.stringContaining(property),
          reason: expect.stringContaining(reason),
        }),
      ]),
    );
  });

  it("leaves inputs unknown during preview for later, and still checks the known ones", () => {
    expect(check({ name: UNKNOWN, grantTypes: ["password"] }).failures).toEqual([]);
    expect(check({ name: UNKNOWN, grantTypes: ["nope"] }).failures.map((f) => f.property)).toEqual([
      "grantTypes.0",
    ]);
  });

  it("ignores the output placeholders the resource registers", () => {
    expect(check({ name: "a", applicationId: undefined, clientSecret: null }).failures).toEqual([]);
  });
});

describe("ApiContract inputs", () => {
  const valid = {
    applicationId: 2700001,
    environmentId: "5e1f7c2a-8b3d-4e6f-9a0b-1c2d3e4f5a61",
    apiInstanceId: 18800101,
  };
  const check = (news: Record<string, unknown>) =>
    validateInputs(apiContractInputs, news, ["contractId", "status"]);

  it("accepts a valid contract", () => {
    expect(check({ ...valid, tierId: 5100101, approve: true }).failures).toEqual([]);
  });

  it.each([
    [{ ...valid, tierId: -5 }, "tierId"],
    [{ ...valid, tierId: 0 }, "tierId"],
    [{ ...valid, environmentId: "sandbox" }, "environmentId"],
    [{ ...valid, environmentId: "5e1f7c2a-8b3d-4e6f-9a0b-1c2d3e4f5a61/../x" }, "environmentId"],
    [{ ...valid, apiInstanceId: "18800101" }, "apiInstanceId"],
    [{ ...valid, acceptedTerms: false }, "acceptedTerms"],
    [{ environmentId: valid.environmentId, apiInstanceId: 1 }, "applicationId"],
  ])("refuses %j, naming %s", (news, property) => {
    expect(check(news).failures.map((f) => f.property)).toContain(property);
  });

  it("accepts an application id that is not known until the application exists", () => {
    expect(check({ ...valid, applicationId: UNKNOWN }).failures).toEqual([]);
  });
});

describe("organization and environment ids in another case", () => {
  const ROOT = "7f3c2a91-4d8e-4b6a-9c1f-2e5d8a7b3c10";
  const SANDBOX = "5e1f7c2a-8b3d-4e6f-9a0b-1c2d3e4f5a61";

  it("are normalised to Anypoint's lowercase by check", () => {
    const app = validateInputs(
      clientApplicationInputs,
      { name: "a", organizationId: ROOT.toUpperCase() },
      APP_OUTPUTS,
    );
    expect(app.inputs.organizationId).toBe(ROOT);
    const contract = validateInputs(
      apiContractInputs,
      {
        applicationId: 1,
        apiInstanceId: 2,
        environmentId: SANDBOX.toUpperCase(),
        organizationId: ROOT.toUpperCase(),
      },
      [],
    );
    expect(contract.inputs).toMatchObject({ environmentId: SANDBOX, organizationId: ROOT });
  });

  it("never replace an application or a contract recorded in the other case", async () => {
    const { app, contract } = offlineProviders();
    const appDiff = await app.diff(
      "2700001",
      { name: "a", redirectUris: [], grantTypes: [], masterOrganizationId: ROOT.toUpperCase() },
      { name: "a", organizationId: ROOT },
    );
    expect(appDiff).toMatchObject({ changes: false, replaces: [] });
    const contractDiff = await contract.diff(
      "7340001",
      {
        applicationId: 1,
        apiInstanceId: 2,
        environmentId: SANDBOX.toUpperCase(),
        apiOrganizationId: ROOT.toUpperCase(),
        status: "APPROVED",
      },
      { applicationId: 1, apiInstanceId: 2, environmentId: SANDBOX, organizationId: ROOT },
    );
    expect(contractDiff).toMatchObject({ changes: false, replaces: [] });
  });
});
