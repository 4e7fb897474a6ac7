import { z } from "zod";
import { AnypointError, type AnypointErrorDetails, type ErrorCode } from "./errors";
import type { Redact } from "./redaction";
import { errorBody } from "./schemas";
import { type CallContext, forbiddenHint, type Operation } from "./scopes";
import type { GrantCredentials } from "./tokenSource";

/**
 * From an answer that is not a success to the typed client error: the code a caller branches on,
 * the service's own message (redacted) and a hint for a person.
 */

/** The call an answer belongs to. */
export interface AnsweredCall {
  operation: Operation;
  method: string;
  path: string;
  /** The call is for the object at `path` itself: only then may a 404 say it is gone. */
  object?: boolean;
  context?: CallContext;
}

/** The parts of an HTTP answer the mapping reads. */
export interface Answer {
  status: number;
  data: unknown;
  headers?: Record<string, unknown>;
}

export interface MappingOptions {
  /** Applied to the service's message: an answer may echo a secret. */
  redact: Redact;
}

export const BASE_URL_HINT =
  "This is not proof that anything was deleted. Check anypoint:baseUrl (ANYPOINT_BASE_URL): it must be the control plane's root, " +
  "such as https://anypoint.mulesoft.com or https://eu1.anypoint.mulesoft.com, with no path (not a page copied from the browser, such as .../home)";

const RETIRED_V1 = /^\/exchange\/api\/v1\/organizations\/([^/]+)\/environments\/([^/]+)\/apis/;

// The API families' error shapes (docs/anypoint.md section 6).
const exchangeNotFound = z.object({
  status: z.literal(404),
  message: z.string(),
  details: z.looseObject({}),
});
const managerNotFound = z.object({ error: z.literal("Not Found"), message: z.string() });

/** The code of a status alone; a 404 is never `not_found` here (see `statusError`). */
export function codeFor(status: number): ErrorCode {
  if (status === 400 || status === 422) return "bad_request";
  if (status === 401) return "unauthorized";
  if (status === 403) return "forbidden";
  if (status === 404) return "unexpected_404";
  if (status === 409) return "conflict";
  if (status === 429) return "rate_limited";
  return status >= 500 ? "server" : "bad_request";
}

/** The service's own message, with anything that looks like one of the client's secrets removed. */
export function serviceMessageOf(data: unknown, options: MappingOptions): string | undefined {
  const message = messageInBody(data);
  return message === undefined ? undefined : options.redact(message);
}

function messageInBody(data: unknown): string | undefined {
  const parsed = errorBody.safeParse(data);
  if (!parsed.success) return typeof data === "string" && data.length < 500 ? data : undefined;
  const body = parsed.data;
  return (
    body.message ??
    body.error_description ??
    body.errors
      ?.map((error) => error.message)
      .filter(Boolean)
      .join("; ") ??
    (typeof body.error === "string" ? body.error : undefined)
  );
}

/**
 * A 404 proves an object gone only in its API family's JSON error shape (docs/anypoint.md section
 * 6): API Manager's `{error:"Not Found"}`, Exchange's and the API Platform's `{status:404}`. A proxy's
 * or a wrong base URL's 404 page says nothing about the object.
 */
export function isGoneAnswer(path: string, answer: Answer): boolean {
  const type = String(answer.headers?.["content-type"] ?? "");
  if (!/[/+]json\b/i.test(type)) return false;
  if (path.startsWith("/apimanager/")) return managerNotFound.safeParse(answer.data).success;
  if (path.startsWith("/exchange/") || path.startsWith("/apiplatform/"))
    return exchangeNotFound.safeParse(answer.data).success;
  return false;
}

/** The error of an API call's answer that is neither a success nor retried. */
export function statusError(call: AnsweredCall, answer: Answer, options: MappingOptions): AnypointError {
  const status = answer.status;
  const base = {
    method: call.method,
    path: call.path,
    status,
    serviceMessage: serviceMessageOf(answer.data, options),
    code: codeFor(status),
  };
  switch (status) {
    case 401:
      return new AnypointError({
        ...base,
        message: "Anypoint did not accept the token",
        hint: "The token is missing, invalid or expired; with anypoint:accessToken, get a new one (tokens live one hour), or use a connected app",
      });
    case 403:
      return new AnypointError({
        ...base,
        message: "Anypoint refused the call (403)",
        hint: forbiddenHint(call.operation, call.context ?? {}),
      });
    case 404:
      return notFoundError(call, answer, base);
    case 409:
      return new AnypointError({ ...base, message: "conflict" });
    case 429:
      return new AnypointError({ ...base, message: "throttled by Anypoint" });
    default:
      return new AnypointError({
        ...base,
        message: status >= 500 ? "Anypoint failed" : "Anypoint refused the request",
      });
  }
}

type ErrorBase = Omit<AnypointErrorDetails, "message" | "hint">;

/** `not_found` only for the object's own path in its family's error shape; else `unexpected_404`. */
function notFoundError(call: AnsweredCall, answer: Answer, base: ErrorBase): AnypointError {
  const retired = RETIRED_V1.exec(call.path);
  if (retired) {
    return new AnypointError({
      ...base,
      message: "this Exchange v1 endpoint was retired",
      hint: `Use GET /apimanager/api/v1/organizations/${retired[1]}/environments/${retired[2]}/apis (API Manager) to list API instances`,
    });
  }
  if (call.object && isGoneAnswer(call.path, answer)) {
    return new AnypointError({ ...base, code: "not_found", message: "not found" });
  }
  return new AnypointError({
    ...base,
    message: "Anypoint answered 404 where something was expected",
    hint: BASE_URL_HINT,
  });
}

export interface TokenRefusalOptions extends MappingOptions {
  /** The grant that was refused (docs/anypoint.md section 1). */
  grant: GrantCredentials["kind"];
  path: string;
}

/** The error of the token endpoint's answer that is neither a token nor retried. */
export function tokenRefusedError(answer: Answer, options: TokenRefusalOptions): AnypointError {
  const serviceMessage = serviceMessageOf(answer.data, options);
  const where = { method: "POST", path: options.path, status: answer.status, serviceMessage };
  if (answer.status === 404) {
    return new AnypointError({
      ...where,
      code: "unexpected_404",
      message: "the token endpoint was not found",
      hint: BASE_URL_HINT,
    });
  }
  const badCredentials = answer.status === 401 || answer.status === 400;
  return new AnypointError({
    ...where,
    code: badCredentials ? "unauthorized" : codeFor(answer.status),
    message: "Anypoint refused the credentials",
    hint: credentialsHint(options.grant, serviceMessage),
  });
}

/** What to check, by grant; the password grant fails for users with MFA (docs/anypoint.md section 1). */
function credentialsHint(grant: TokenRefusalOptions["grant"], serviceMessage: string | undefined): string {
  if (grant === "clientCredentials") {
    return "Check the connected app's client id and secret (Access Management > Connected Apps), and that the app uses the client credentials grant";
  }
  if (/mfa|multi.?factor|two.?factor/i.test(serviceMessage ?? "")) {
    return (
      "The password grant cannot be used by a user with multi-factor authentication, which Anypoint has required since August 2023. " +
      "Use a connected app that acts on its own behalf (client credentials): set anypoint:clientId and anypoint:clientSecret and remove anypoint:username and anypoint:password"
    );
  }
  return (
    "Check the username and password and the connected app's client id and secret. The password grant is a legacy fallback that fails for users with MFA; " +
    "prefer a connected app with client credentials"
  );
}
