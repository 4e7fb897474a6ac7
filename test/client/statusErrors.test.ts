import { AnypointError } from "../../client/errors";
import { forbiddenHint } from "../../client/scopes";
import {
  type AnsweredCall,
  type Answer,
  BASE_URL_HINT,
  codeFor,
  isGoneAnswer,
  serviceMessageOf,
  statusError,
  tokenRefusedError,
} from "../../client/statusErrors";

const SECRET = "A1b2C3d4E5f6-secret";
const redact = (text: string) => text.split(SECRET).join("***");
const OPTIONS = { redact };
const JSON_TYPE = { "content-type": "application/json; charset=utf-8" };

const APP_PATH = "/exchange/api/v2/organizations/org/applications/42";
const CONTRACT_PATH = "/apimanager/api/v1/organizations/org/environments/env/apis/7/contracts/9";
const EXCHANGE_404 = { status: 404, message: "Application not found", details: {} };
const MANAGER_404 = { error: "Not Found", message: "Contract not found" };

const getApp: AnsweredCall = { operation: "getApplication", method: "GET", path: APP_PATH, object: true };
const answer = (
  status: number,
  data: unknown = {},
  headers: Record<string, unknown> = JSON_TYPE,
): Answer => ({
  status,
  data,
  headers,
});

describe("the code of a status", () => {
  it.each([
    [400, "bad_request"],
    [422, "bad_request"],
    [401, "unauthorized"],
    [403, "forbidden"],
    [404, "unexpected_404"],
    [409, "conflict"],
    [429, "rate_limited"],
    [500, "server"],
    [503, "server"],
    [418, "bad_request"],
  ])("maps %i to %s", (status, code) => {
    expect(codeFor(status)).toBe(code);
  });
});

describe("a 404", () => {
  it("says not_found for the object's own path in its API family's JSON error shape", () => {
    expect(statusError(getApp, answer(404, EXCHANGE_404), OPTIONS)).toMatchObject({
      code: "not_found",
      status: 404,
      serviceMessage: "Application not found",
    });
    const getContract = { ...getApp, path: CONTRACT_PATH };
    expect(statusError(getContract, answer(404, MANAGER_404), OPTIONS).code).toBe("not_found");
  });

  it("says unexpected_404, with the base URL hint, for a call that is not of the object itself", () => {
    const error = statusError({ ...getApp, object: false }, answer(404, EXCHANGE_404), OPTIONS);
    expect(error.code).toBe("unexpected_404");
    expect(error.hint).toBe(BASE_URL_HINT);
    expect(statusError({ ...getApp, object: undefined }, answer(404, EXCHANGE_404), OPTIONS).code).toBe(
      "unexpected_404",
    );
  });

  it.each([
    ["an HTML page", answer(404, "<html>Not Found</html>", { "content-type": "text/html" })],
    ["JSON without a content type", answer(404, EXCHANGE_404, {})],
    ["the other family's shape", answer(404, MANAGER_404)],
    ["a shape with another status", answer(404, { ...EXCHANGE_404, status: 403 })],
  ])("says unexpected_404 for %s", (_what, notFound) => {
    expect(statusError(getApp, notFound, OPTIONS).code).toBe("unexpected_404");
  });

  it("reads the family of a path by its prefix, and no other prefix proves anything", () => {
    expect(
      isGoneAnswer("/apiplatform/repository/v2/organizations/o/applications/1", answer(404, EXCHANGE_404)),
    ).toBe(true);
    expect(isGoneAnswer("/apimanager/api/v1/x", answer(404, MANAGER_404))).toBe(true);
    expect(isGoneAnswer("/accounts/api/me", answer(404, EXCHANGE_404))).toBe(false);
    expect(isGoneAnswer("/accounts/api/me", answer(404, MANAGER_404))).toBe(false);
  });

  it("points a retired Exchange v1 route to API Manager", () => {
    const call = { ...getApp, path: "/exchange/api/v1/organizations/org-1/environments/env-1/apis" };
    const error = statusError(call, answer(404, EXCHANGE_404), OPTIONS);
    expect(error.code).toBe("unexpected_404");
    expect(error.summary).toBe("this Exchange v1 endpoint was retired");
    expect(error.hint).toContain("GET /apimanager/api/v1/organizations/org-1/environments/env-1/apis");
  });
});

describe("other statuses", () => {
  it("names the minimum scope after a 403", () => {
    const context = { environmentId: "env-1" };
    const error = statusError({ ...getApp, context }, answer(403, { message: "Forbidden" }), OPTIONS);
    expect(error).toMatchObject({ code: "forbidden", status: 403, serviceMessage: "Forbidden" });
    expect(error.hint).toBe(forbiddenHint("getApplication", context));
  });

  it.each([
    [401, "unauthorized", "Anypoint did not accept the token"],
    [409, "conflict", "conflict"],
    [429, "rate_limited", "throttled by Anypoint"],
    [502, "server", "Anypoint failed"],
    [400, "bad_request", "Anypoint refused the request"],
  ])("maps %i to %s", (status, code, summary) => {
    const error = statusError(getApp, answer(status), OPTIONS);
    expect(error).toBeInstanceOf(AnypointError);
    expect(error).toMatchObject({ code, status, method: "GET", path: APP_PATH, summary });
  });
});

describe("the service's message", () => {
  it.each([
    [{ message: "plain" }, "plain"],
    [{ error: "invalid_client", error_description: "bad secret" }, "bad secret"],
    [
      { errors: [{ message: "name is required" }, {}, { message: "too long" }] },
      "name is required; too long",
    ],
    [{ error: "Conflict" }, "Conflict"],
    ["a short text answer", "a short text answer"],
  ])("is read from %j", (data, message) => {
    expect(serviceMessageOf(data, OPTIONS)).toBe(message);
  });

  it("is absent from an answer that holds none", () => {
    expect(serviceMessageOf({ error: { nested: true } }, OPTIONS)).toBeUndefined();
    expect(serviceMessageOf("x".repeat(500), OPTIONS)).toBeUndefined();
    expect(serviceMessageOf(undefined, OPTIONS)).toBeUndefined();
  });

  it("never carries a secret the answer echoes", () => {
    const error = statusError(getApp, answer(400, { message: `secret ${SECRET} is invalid` }), OPTIONS);
    expect(error.serviceMessage).toBe("secret *** is invalid");
    expect(error.message).not.toContain(SECRET);
  });
});

describe("a refused token request", () => {
  const TOKEN = "/accounts/api/v2/oauth2/token";

  it.each([400, 401])("says unauthorized for a %i and points a connected app to its settings", (status) => {
    const error = tokenRefusedError(answer(status, { error: "invalid_client" }), {
      ...OPTIONS,
      grant: "clientCredentials",
      path: TOKEN,
    });
    expect(error).toMatchObject({ code: "unauthorized", method: "POST", path: TOKEN, status });
    expect(error.hint).toMatch(/Connected Apps/);
    expect(error.hint).not.toMatch(/password/);
  });

  it("explains that the password grant fails for a user with MFA", () => {
    const data = { error: "invalid_grant", error_description: "MFA is required for this user" };
    const error = tokenRefusedError(answer(400, data), { ...OPTIONS, grant: "password", path: TOKEN });
    expect(error.hint).toMatch(/multi-factor authentication.*August 2023/);
    expect(error.hint).toMatch(/anypoint:clientId/);
  });

  it("asks to check the user and the app when the password grant fails without MFA", () => {
    const error = tokenRefusedError(answer(401, { message: "bad password" }), {
      ...OPTIONS,
      grant: "password",
      path: TOKEN,
    });
    expect(error.hint).toMatch(/username and password/);
    expect(error.hint).not.toMatch(/multi-factor/);
  });

  it("says unexpected_404 with the base URL hint when the endpoint is missing", () => {
    const error = tokenRefusedError(answer(404, "<html/>", {}), {
      ...OPTIONS,
      grant: "clientCredentials",
      path: TOKEN,
    });
    expect(error).toMatchObject({ code: "unexpected_404", summary: "the token endpoint was not found" });
    expect(error.hint).toBe(BASE_URL_HINT);
  });

  it("keeps the status's own code otherwise, and never the secret", () => {
    const error = tokenRefusedError(answer(403, { message: `app ${SECRET} blocked` }), {
      ...OPTIONS,
      grant: "clientCredentials",
      path: TOKEN,
    });
    expect(error.code).toBe("forbidden");
    expect(error.message).not.toContain(SECRET);
    expect(error.serviceMessage).toBe("app *** blocked");
  });
});
