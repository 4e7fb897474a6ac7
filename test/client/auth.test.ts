import { AnypointClient, isAnypointError } from "../../client";
import {
  failure,
  FAST_RETRIES,
  fullClient,
  readonlyClient,
  requests,
  SEED,
  TOKEN_PATH,
  tokenRequests,
  useEmulator,
} from "./support";

describe("authentication", () => {
  const emu = useEmulator();
  beforeEach(() => emu.control.reset());

  it("uses the connected app's client credentials by default", async () => {
    const client = fullClient(emu.url);
    const me = await client.me();
    expect(me.client?.client_id).toBe(SEED.full.clientId);
    const log = await requests(emu.control);
    expect(log.map((entry) => `${entry.method} ${entry.path} ${entry.status}`)).toEqual([
      `POST ${TOKEN_PATH} 200`,
      "GET /accounts/api/me 200",
    ]);
    expect(log[1].caller).toBe(SEED.full.clientId);
  });

  it("reads the credentials from the environment when no option is given", async () => {
    const client = AnypointClient.fromOptions(FAST_RETRIES, {
      ANYPOINT_BASE_URL: emu.url,
      ANYPOINT_CLIENT_ID: SEED.readonly.clientId,
      ANYPOINT_CLIENT_SECRET: SEED.readonly.clientSecret,
    });
    await client.me();
    const [call] = await requests(emu.control, { path: "/accounts/api/me" });
    expect(call.caller).toBe(SEED.readonly.clientId);
  });

  it("falls back to the password grant for a user without MFA", async () => {
    const client = AnypointClient.fromOptions({ baseUrl: emu.url, ...SEED.full, ...SEED.demoUser }, {});
    const me = await client.me();
    expect(me.user?.username).toBe("demo-user");
    const [call] = await requests(emu.control, { path: "/accounts/api/me" });
    expect(call.caller).toBe("user:demo-user");
  });

  it("explains that the password grant fails with MFA and points to client credentials", async () => {
    const client = AnypointClient.fromOptions({ baseUrl: emu.url, ...SEED.full, ...SEED.mfaUser }, {});
    const error = await failure(client.me());
    expect(isAnypointError(error, "unauthorized")).toBe(true);
    expect(error.message).toMatch(/multi-factor authentication/);
    expect(error.message).toMatch(/August 2023/);
    expect(error.message).toMatch(/client credentials/);
    expect(error.message).toMatch(/anypoint:clientId/);
    // Refused credentials are not retried, and no API call is made without a token.
    expect(await requests(emu.control)).toEqual([expect.objectContaining({ path: TOKEN_PATH, status: 400 })]);
  });

  it("says which credentials to check when the connected app is refused", async () => {
    const client = AnypointClient.fromOptions(
      { baseUrl: emu.url, clientId: SEED.full.clientId, clientSecret: "0000000000wrongsecret0000000000" },
      {},
    );
    const error = await failure(client.me());
    expect(isAnypointError(error, "unauthorized")).toBe(true);
    expect(error.message).toMatch(/Connected Apps/);
    expect(error.message).not.toContain("wrongsecret");
    expect(await tokenRequests(emu.control)).toHaveLength(1);
  });

  it("sends a plain bearer token as it is, without asking for one", async () => {
    const issued = await fetch(`${emu.url}${TOKEN_PATH}`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({
        grant_type: "client_credentials",
        client_id: SEED.full.clientId,
        client_secret: SEED.full.clientSecret,
      }),
    });
    const { access_token: accessToken } = (await issued.json()) as { access_token: string };
    await emu.control.clearRequests();

    const client = AnypointClient.fromOptions({ baseUrl: emu.url, accessToken, ...FAST_RETRIES }, {});
    await client.listApiInstances(SEED.org, SEED.sandbox);
    await client.me();
    expect(await tokenRequests(emu.control)).toHaveLength(0);
    expect((await requests(emu.control)).every((entry) => entry.caller === SEED.full.clientId)).toBe(true);
  });

  it("does not retry a rejected bearer token: it cannot renew it", async () => {
    const client = AnypointClient.fromOptions({ baseUrl: emu.url, accessToken: "not-a-valid-token-123" }, {});
    const error = await failure(client.me());
    expect(isAnypointError(error, "unauthorized")).toBe(true);
    expect(error.status).toBe(401);
    expect(error.message).toMatch(/tokens live one hour/);
    expect(error.message).not.toContain("not-a-valid-token-123");
    expect(await requests(emu.control)).toHaveLength(1);
  });

  it("fetches one token for fifty parallel calls and shares it", async () => {
    const client = fullClient(emu.url);
    const answers = await Promise.all(
      Array.from({ length: 50 }, (_, index) =>
        index % 2 === 0
          ? client.listTiers(SEED.org, SEED.sandbox, SEED.apis.orders)
          : client.listTiers(SEED.org, SEED.sandbox, SEED.apis.customers),
      ),
    );
    expect(answers).toHaveLength(50);
    expect(await tokenRequests(emu.control)).toHaveLength(1);
    expect(await requests(emu.control, { method: "GET" })).toHaveLength(50);
    expect(client.tokenRequestCount).toBe(1);
    const { tokens } = await emu.control.tokens();
    expect(tokens).toHaveLength(1);
  });

  it("keeps using its token across calls", async () => {
    const client = fullClient(emu.url);
    await client.me();
    await client.listTiers(SEED.org, SEED.sandbox, SEED.apis.orders);
    await client.getApiInstance(SEED.org, SEED.sandbox, SEED.apis.orders);
    expect(await tokenRequests(emu.control)).toHaveLength(1);
  });

  it("renews the token once on a 401 and repeats the call", async () => {
    const client = fullClient(emu.url);
    await client.me();
    await emu.control.expireTokens();
    const tiers = await client.listTiers(SEED.org, SEED.sandbox, SEED.apis.orders);
    expect(tiers.map((tier) => tier.name)).toEqual(["Gold", "Silver", "Bronze"]);
    const log = await requests(emu.control);
    expect(log.map((entry) => `${entry.method} ${entry.status}`)).toEqual([
      "POST 200",
      "GET 200",
      "GET 401",
      "POST 200",
      "GET 200",
    ]);
  });

  it("renews once for many parallel calls that all meet the expired token", async () => {
    const client = fullClient(emu.url);
    await client.me();
    await emu.control.expireTokens();
    await Promise.all(
      Array.from({ length: 20 }, () => client.getApiInstance(SEED.org, SEED.sandbox, SEED.apis.orders)),
    );
    expect(await tokenRequests(emu.control)).toHaveLength(2);
  });

  it("gives up after one renewal when the new token is refused too", async () => {
    const client = fullClient(emu.url);
    await client.me();
    await emu.control.setFaults([{ path: "^/accounts/api/me$", status: 401 }]);
    const error = await failure(client.me());
    expect(isAnypointError(error, "unauthorized")).toBe(true);
    expect(await requests(emu.control, { path: "/accounts/api/me" })).toHaveLength(3);
    expect(await tokenRequests(emu.control)).toHaveLength(2);
  });

  it("never retries a 403", async () => {
    const client = readonlyClient(emu.url);
    const error = await failure(client.listApiContracts(SEED.org, SEED.sandbox, SEED.apis.orders));
    expect(isAnypointError(error, "forbidden")).toBe(true);
    expect(await requests(emu.control, { method: "GET" })).toHaveLength(1);
    expect(await tokenRequests(emu.control)).toHaveLength(1);
  });

  it("asks /accounts/api/me for the root organization once, unless it is configured", async () => {
    const client = fullClient(emu.url);
    const ids = await Promise.all([client.rootOrganizationId(), client.rootOrganizationId()]);
    expect(ids).toEqual([SEED.org, SEED.org]);
    await client.rootOrganizationId();
    expect(await requests(emu.control, { path: "/accounts/api/me" })).toHaveLength(1);

    await emu.control.clearRequests();
    const configured = fullClient(emu.url, { organizationId: SEED.org });
    expect(await configured.rootOrganizationId()).toBe(SEED.org);
    expect(await requests(emu.control)).toHaveLength(0);
  });
});

describe("token lifetime", () => {
  const emu = useEmulator({ tokenTtlSeconds: 4 });

  it("renews the token before it expires, without meeting a 401", async () => {
    const client = fullClient(emu.url);
    await client.me();
    await client.me();
    expect(await tokenRequests(emu.control)).toHaveLength(1);
    // Past half of the four-second lifetime: the client renews ahead of expiry.
    await new Promise((resolve) => setTimeout(resolve, 2100));
    await client.me();
    expect(await tokenRequests(emu.control)).toHaveLength(2);
    expect((await requests(emu.control)).some((entry) => entry.status === 401)).toBe(false);
  });
});
