import {
  DEFAULT_BASE_URL,
  isAnypointError,
  normalizeBaseUrl,
  resolveClientConfig,
  retryDelay,
} from "../../client";
import { SEED } from "../support/harness";

const APP = { ...SEED.full };
const ORG = "7f3c2a91-4d8e-4b6a-9c1f-2e5d8a7b3c10";

function configError(run: () => unknown): Error {
  try {
    run();
  } catch (error) {
    expect(isAnypointError(error, "config")).toBe(true);
    return error as Error;
  }
  throw new Error("expected a configuration error");
}

describe("client configuration", () => {
  it("defaults to the US control plane with client credentials from the environment", () => {
    const config = resolveClientConfig(
      {},
      { ANYPOINT_CLIENT_ID: APP.clientId, ANYPOINT_CLIENT_SECRET: APP.clientSecret },
    );
    expect(config.baseUrl).toBe(DEFAULT_BASE_URL);
    expect(config.baseUrl).toBe("https://anypoint.mulesoft.com");
    expect(config.credentials).toEqual({ kind: "clientCredentials", ...APP });
    expect(config.organizationId).toBeUndefined();
  });

  it("prefers explicit options over environment variables, field by field", () => {
    const config = resolveClientConfig(
      { baseUrl: "https://eu1.anypoint.mulesoft.com", clientId: "explicit-id", organizationId: ORG },
      {
        ANYPOINT_BASE_URL: "https://gov.anypoint.mulesoft.com",
        ANYPOINT_CLIENT_ID: "env-id",
        ANYPOINT_CLIENT_SECRET: "env-secret",
        ANYPOINT_ORGANIZATION_ID: "a1b2c3d4-0000-4000-8000-00000000b001",
      },
    );
    expect(config.baseUrl).toBe("https://eu1.anypoint.mulesoft.com");
    expect(config.credentials).toEqual({
      kind: "clientCredentials",
      clientId: "explicit-id",
      clientSecret: "env-secret",
    });
    expect(config.organizationId).toBe(ORG);
  });

  it("reads every setting from its environment variable", () => {
    const config = resolveClientConfig(
      {},
      {
        ANYPOINT_BASE_URL: "https://ca1.platform.mulesoft.com/",
        ANYPOINT_CLIENT_ID: APP.clientId,
        ANYPOINT_CLIENT_SECRET: APP.clientSecret,
        ANYPOINT_USERNAME: "demo-user",
        ANYPOINT_PASSWORD: "Demo-Passw0rd!",
        ANYPOINT_ORGANIZATION_ID: ORG,
      },
    );
    expect(config.baseUrl).toBe("https://ca1.platform.mulesoft.com");
    expect(config.credentials).toEqual({
      kind: "password",
      ...APP,
      username: "demo-user",
      password: "Demo-Passw0rd!",
    });
    expect(config.organizationId).toBe(ORG);
  });

  it("uses a plain access token when one is given", () => {
    expect(resolveClientConfig({}, { ANYPOINT_ACCESS_TOKEN: "token-from-env" }).credentials).toEqual({
      kind: "bearer",
      accessToken: "token-from-env",
    });
    expect(resolveClientConfig({ accessToken: "explicit-token", ...APP }, {}).credentials).toEqual({
      kind: "bearer",
      accessToken: "explicit-token",
    });
  });

  it("does not let a token left in the environment override credentials set explicitly", () => {
    const config = resolveClientConfig(APP, { ANYPOINT_ACCESS_TOKEN: "stale-token" });
    expect(config.credentials).toEqual({ kind: "clientCredentials", ...APP });
  });

  it("treats empty values as unset", () => {
    const config = resolveClientConfig(
      { baseUrl: "", ...APP },
      { ANYPOINT_BASE_URL: "", ANYPOINT_ACCESS_TOKEN: "", ANYPOINT_USERNAME: "" },
    );
    expect(config.baseUrl).toBe(DEFAULT_BASE_URL);
    expect(config.credentials.kind).toBe("clientCredentials");
  });

  it("explains what is missing when there are no credentials", () => {
    const error = configError(() => resolveClientConfig({}, {}));
    expect(error.message).toMatch(/ANYPOINT_CLIENT_ID/);
    expect(error.message).toMatch(/ANYPOINT_ACCESS_TOKEN/);
  });

  it("refuses a half-configured password grant without echoing the password", () => {
    const error = configError(() =>
      resolveClientConfig({ username: "demo-user", password: "Demo-Passw0rd!" }, {}),
    );
    expect(error.message).toMatch(/password grant needs/);
    expect(error.message).not.toContain("Demo-Passw0rd!");
  });

  it("refuses an organization id that is not a UUID", () => {
    expect(configError(() => resolveClientConfig({ ...APP, organizationId: "acme" }, {})).message).toMatch(
      /not a UUID/,
    );
  });

  it("has sensible defaults for concurrency, tries and time budget, and refuses nonsense", () => {
    const config = resolveClientConfig(APP, {});
    expect(config.maxConcurrency).toBe(8);
    expect(config.maxAttempts).toBe(5);
    expect(config.maxRetryTimeMs).toBe(60_000);
    expect(configError(() => resolveClientConfig({ ...APP, maxConcurrency: 0 }, {})).message).toMatch(
      /maxConcurrency/,
    );
    expect(configError(() => resolveClientConfig({ ...APP, maxAttempts: 1.5 }, {})).message).toMatch(
      /maxAttempts/,
    );
  });
});

describe("base URL", () => {
  it.each([
    "https://anypoint.mulesoft.com",
    "https://eu1.anypoint.mulesoft.com",
    "https://gov.anypoint.mulesoft.com",
    "https://ca1.platform.mulesoft.com",
    "https://jp1.platform.mulesoft.com",
  ])("accepts the control plane %s", (url) => {
    expect(normalizeBaseUrl(`${url}/`)).toBe(url);
  });

  it.each(["http://127.0.0.1:8080", "http://localhost:3000", "http://[::1]:9000"])(
    "accepts plain http on the loopback address %s (the emulator)",
    (url) => {
      expect(normalizeBaseUrl(url)).toBe(url);
    },
  );

  it.each(["http://anypoint.mulesoft.com", "http://10.0.0.5:8080", "http://127.example.com"])(
    "refuses plain http to %s",
    (url) => {
      expect(configError(() => normalizeBaseUrl(url)).message).toMatch(/refusing plain http/);
    },
  );

  it("refuses other schemes, embedded credentials and queries", () => {
    expect(configError(() => normalizeBaseUrl("ftp://anypoint.mulesoft.com")).message).toMatch(/https/);
    const withPassword = configError(() => normalizeBaseUrl("https://me:hunter22@anypoint.mulesoft.com"));
    expect(withPassword.message).not.toContain("hunter22");
    expect(configError(() => normalizeBaseUrl("https://anypoint.mulesoft.com/?x=1")).message).toMatch(
      /query/,
    );
    expect(configError(() => normalizeBaseUrl("not a url")).message).toMatch(/not a URL/);
  });
});

describe("retry delay", () => {
  const NOW = Date.parse("2026-03-01T12:00:00.000Z");

  it("honours Retry-After in seconds and as an HTTP date", () => {
    expect(retryDelay(1, { headers: { "retry-after": "2" } }, NOW)).toBe(2000);
    const date = new Date(NOW + 3000).toUTCString();
    expect(retryDelay(1, { headers: { "retry-after": date } }, NOW)).toBe(3000);
  });

  it("honours X-RateLimit-Reset in epoch seconds when there is no Retry-After", () => {
    const reset = String(NOW / 1000 + 5);
    expect(retryDelay(1, { headers: { "x-ratelimit-reset": reset } }, NOW)).toBe(5000);
    expect(retryDelay(1, { headers: { "retry-after": "1", "x-ratelimit-reset": reset } }, NOW)).toBe(1000);
  });

  it("caps a server-given wait at 30 seconds and never goes below 100 ms", () => {
    expect(retryDelay(1, { headers: { "retry-after": "3600" } }, NOW)).toBe(30_000);
    expect(retryDelay(1, { headers: { "retry-after": "0" } }, NOW)).toBe(100);
  });

  it("backs off exponentially with jitter between half and all of the step, up to 4 s", () => {
    const steps = [1, 2, 3, 4, 5, 6, 7].map((attempt) =>
      Array.from({ length: 200 }, () => retryDelay(attempt, undefined, NOW)),
    );
    const ceilings = [250, 500, 1000, 2000, 4000, 4000, 4000];
    steps.forEach((delays, index) => {
      expect(Math.min(...delays)).toBeGreaterThanOrEqual(ceilings[index] / 2);
      expect(Math.max(...delays)).toBeLessThanOrEqual(ceilings[index]);
      expect(new Set(delays).size).toBeGreaterThan(1);
    });
  });

  it("uses the configured base and ceiling", () => {
    const delays = Array.from({ length: 100 }, () =>
      retryDelay(10, undefined, NOW, { baseMs: 5, maxMs: 20 }),
    );
    expect(Math.max(...delays)).toBeLessThanOrEqual(20);
    expect(Math.min(...delays)).toBeGreaterThanOrEqual(10);
  });
});
