import type { Credentials } from "../../client/config";
import { AnypointError } from "../../client/errors";
import {
  type GrantRequest,
  grantForm,
  type IssuedToken,
  issuedTokenFrom,
  renewalTime,
  TOKEN_PATH,
  TokenSource,
} from "../../client/tokenSource";

const APP: Credentials = { kind: "clientCredentials", clientId: "app-id", clientSecret: "app-secret-123456" };
const USER: Credentials = {
  kind: "password",
  clientId: "app-id",
  clientSecret: "app-secret-123456",
  username: "demo-user",
  password: "Demo-Passw0rd!",
};
const HOUR_MS = 3_600_000;

/** A token endpoint whose answers the test releases one by one. */
function tokenEndpoint() {
  const asked: GrantRequest[] = [];
  const waiting: { resolve(token: IssuedToken): void; reject(error: Error): void }[] = [];
  return {
    asked,
    requestToken: (request: GrantRequest) => {
      asked.push(request);
      return new Promise<IssuedToken>((resolve, reject) => waiting.push({ resolve, reject }));
    },
    issue(value: string, lifetimeMs = HOUR_MS) {
      waiting.shift()?.resolve({ value, lifetimeMs });
    },
    refuse(error: Error) {
      waiting.shift()?.reject(error);
    },
  };
}

const settle = () => new Promise((resolve) => setImmediate(resolve));

/** What a caller receives when it asks while the endpoint issues `value`. */
async function askWhileIssuing(
  tokens: TokenSource,
  endpoint: ReturnType<typeof tokenEndpoint>,
  issued: { value: string; lifetimeMs?: number },
): Promise<string> {
  const asked = tokens.accessToken();
  await settle();
  endpoint.issue(issued.value, issued.lifetimeMs);
  return asked;
}

describe("the token request", () => {
  it("sends a connected app's client credentials, and nothing of a user", () => {
    expect(Object.fromEntries(new URLSearchParams(grantForm(APP)))).toEqual({
      grant_type: "client_credentials",
      client_id: "app-id",
      client_secret: "app-secret-123456",
    });
  });

  it("sends the password grant with the user and the connected app", () => {
    expect(Object.fromEntries(new URLSearchParams(grantForm(USER)))).toEqual({
      grant_type: "password",
      username: "demo-user",
      password: "Demo-Passw0rd!",
      client_id: "app-id",
      client_secret: "app-secret-123456",
    });
  });

  it("reads the token and its lifetime, one hour when the answer does not say", () => {
    expect(issuedTokenFrom({ status: 200, data: { access_token: "tok-1", expires_in: 60 } })).toEqual({
      value: "tok-1",
      lifetimeMs: 60_000,
    });
    expect(issuedTokenFrom({ status: 200, data: { access_token: "tok-2" } }).lifetimeMs).toBe(HOUR_MS);
  });

  it.each([{}, { access_token: "" }, { access_token: 42 }, "<html>ok</html>"])(
    "refuses an answer without an access token: %j",
    (data) => {
      const error = (() => {
        try {
          issuedTokenFrom({ status: 200, data });
        } catch (thrown) {
          return thrown;
        }
      })();
      expect(error).toBeInstanceOf(AnypointError);
      expect(error).toMatchObject({ code: "validation", method: "POST", path: TOKEN_PATH, status: 200 });
    },
  );

  it("renews five minutes before expiry, or at half the lifetime of a short-lived token", () => {
    expect(renewalTime(1000, HOUR_MS)).toBe(1000 + HOUR_MS - 5 * 60_000);
    expect(renewalTime(1000, 4000)).toBe(3000);
  });
});

describe("the token source", () => {
  it("uses a bearer token as it is, never asking for one and never renewing it", async () => {
    const endpoint = tokenEndpoint();
    const tokens = new TokenSource({
      credentials: { kind: "bearer", accessToken: "given-token" },
      ...endpoint,
    });
    expect(await tokens.accessToken()).toBe("given-token");
    tokens.invalidate("given-token");
    expect(await tokens.accessToken()).toBe("given-token");
    expect(tokens.renewable).toBe(false);
    expect(endpoint.asked).toEqual([]);
  });

  it("asks once for many concurrent callers and gives them all the same token", async () => {
    const endpoint = tokenEndpoint();
    const tokens = new TokenSource({ credentials: APP, ...endpoint });
    expect(tokens.renewable).toBe(true);
    const callers = Array.from({ length: 10 }, () => tokens.accessToken());
    await settle();
    endpoint.issue("shared");
    expect(await Promise.all(callers)).toEqual(Array(10).fill("shared"));
    expect(endpoint.asked).toEqual([{ grant: "clientCredentials", form: grantForm(APP) }]);
  });

  it("says which grant it asks with", async () => {
    const endpoint = tokenEndpoint();
    const tokens = new TokenSource({ credentials: USER, ...endpoint });
    expect(await askWhileIssuing(tokens, endpoint, { value: "user-token" })).toBe("user-token");
    expect(endpoint.asked.map((request) => request.grant)).toEqual(["password"]);
  });

  it("keeps its token until the renewal time, then asks for a new one", async () => {
    let now = 0;
    const endpoint = tokenEndpoint();
    const tokens = new TokenSource({ credentials: APP, ...endpoint, now: () => now });
    expect(await askWhileIssuing(tokens, endpoint, { value: "first", lifetimeMs: 4000 })).toBe("first");

    now = 1999;
    expect(await tokens.accessToken()).toBe("first");
    expect(endpoint.asked).toHaveLength(1);

    now = 2000;
    expect(await askWhileIssuing(tokens, endpoint, { value: "second", lifetimeMs: 4000 })).toBe("second");
    expect(endpoint.asked).toHaveLength(2);
  });

  it("does not keep a failure: the next caller asks again", async () => {
    const endpoint = tokenEndpoint();
    const tokens = new TokenSource({ credentials: APP, ...endpoint });
    const refused = tokens.accessToken();
    await settle();
    endpoint.refuse(new Error("refused"));
    await expect(refused).rejects.toThrow("refused");

    expect(await askWhileIssuing(tokens, endpoint, { value: "after-refusal" })).toBe("after-refusal");
    expect(endpoint.asked).toHaveLength(2);
  });

  it("drops a refused token, but not a newer one that replaced it", async () => {
    const endpoint = tokenEndpoint();
    const tokens = new TokenSource({ credentials: APP, ...endpoint });
    expect(await askWhileIssuing(tokens, endpoint, { value: "old" })).toBe("old");

    tokens.invalidate("old");
    expect(await askWhileIssuing(tokens, endpoint, { value: "new" })).toBe("new");

    // A slow caller reports the old token refused after the renewal: the new one stays.
    tokens.invalidate("old");
    expect(await tokens.accessToken()).toBe("new");
    expect(endpoint.asked).toHaveLength(2);
  });
});
