import { REDACTED, Redactor, secretsOf } from "../../client/redaction";

const CLIENT_ID = "0c4e1f9a7b2d4c6e8f1a3b5c7d9e0f21";
const CLIENT_SECRET = "A1b2C3d4E5f6A7b8C9d0E1f2A3b4C5d6";

describe("the secrets of credentials", () => {
  it("are the client secret of a connected app, not its client id", () => {
    expect(
      secretsOf({ kind: "clientCredentials", clientId: CLIENT_ID, clientSecret: CLIENT_SECRET }),
    ).toEqual([CLIENT_SECRET]);
  });

  it("are the client secret and the password of the password grant, not the username", () => {
    const secrets = secretsOf({
      kind: "password",
      clientId: CLIENT_ID,
      clientSecret: CLIENT_SECRET,
      username: "demo-user",
      password: "Demo-Passw0rd!",
    });
    expect(secrets).toEqual([CLIENT_SECRET, "Demo-Passw0rd!"]);
  });

  it("are the token itself for a bearer token", () => {
    expect(secretsOf({ kind: "bearer", accessToken: "given-token-1" })).toEqual(["given-token-1"]);
  });
});

describe("redaction", () => {
  it("replaces every occurrence of every known secret, and leaves the rest of the text", () => {
    const redactor = Redactor.forCredentials({
      kind: "clientCredentials",
      clientId: CLIENT_ID,
      clientSecret: CLIENT_SECRET,
    });
    redactor.remember("issued-token-xyz");
    const text = `id ${CLIENT_ID} secret ${CLIENT_SECRET} again ${CLIENT_SECRET} token issued-token-xyz`;
    expect(redactor.redact(text)).toBe(
      `id ${CLIENT_ID} secret ${REDACTED} again ${REDACTED} token ${REDACTED}`,
    );
  });

  it("leaves a text without secrets as it is", () => {
    const redactor = new Redactor([CLIENT_SECRET]);
    expect(redactor.redact("GET /accounts/api/me -> 200 (3 ms)")).toBe("GET /accounts/api/me -> 200 (3 ms)");
  });

  it("does not replace values shorter than six characters, which would mangle ordinary words", () => {
    const redactor = new Redactor(["abc12", "abc123"]);
    expect(redactor.redact("abc12 is short; abc123 is not")).toBe(`abc12 is short; ${REDACTED} is not`);
  });

  it("works as a detached function (passed to the error mapping)", () => {
    const { redact } = new Redactor([CLIENT_SECRET]);
    expect(redact(`x${CLIENT_SECRET}x`)).toBe(`x${REDACTED}x`);
  });
});

describe("secrets in answers", () => {
  it("are remembered from the secret fields of objects and lists, not from other fields", () => {
    const redactor = new Redactor();
    redactor.rememberSecretsIn({
      values: [
        { name: "orders-app", clientId: "public-client-id", clientSecret: "app-secret-111" },
        { contract: { client_secret: "contract-secret-222" } },
      ],
      access_token: "answer-token-333",
      refresh_token: "refresh-token-444",
      password: "user-password-555",
    });
    const text =
      "orders-app public-client-id app-secret-111 contract-secret-222 answer-token-333 refresh-token-444 user-password-555";
    expect(redactor.redact(text)).toBe(`orders-app public-client-id ${Array(5).fill(REDACTED).join(" ")}`);
  });

  it("ignores a secret field that is not text", () => {
    const redactor = new Redactor();
    redactor.rememberSecretsIn({ clientSecret: 123456789, password: { value: "nested-value-1" } });
    expect(redactor.redact("123456789 nested-value-1")).toBe("123456789 nested-value-1");
  });

  it("are looked for four levels deep, no deeper", () => {
    const redactor = new Redactor();
    redactor.rememberSecretsIn({ a: { b: { c: { d: { clientSecret: "deep-secret-4" } } } } });
    redactor.rememberSecretsIn({ a: { b: { c: { d: { e: { clientSecret: "deeper-secret-5" } } } } } });
    expect(redactor.redact("deep-secret-4 deeper-secret-5")).toBe(`${REDACTED} deeper-secret-5`);
  });
});
