import { controlClient, type EmulatorOptions, type RunningEmulator, startEmulator } from "../../emulator";
import { SEED } from "../support/harness";

/** The default seed's ids and credentials (ARCHITECTURE.md). */
export const ROOT = "7f3c2a91-4d8e-4b6a-9c1f-2e5d8a7b3c10";
export const SANDBOX = "5e1f7c2a-8b3d-4e6f-9a0b-1c2d3e4f5a61";
export const PRODUCTION = "9d8c7b6a-5f4e-4d3c-8b2a-1f0e9d8c7b62";
export const FULL: { clientId: string; clientSecret: string } = { ...SEED.full };
export const READONLY: { clientId: string; clientSecret: string } = { ...SEED.readonly };
export const API = {
  ordersSandbox: 18800101,
  paymentsSandbox: 18800102,
  customersSandbox: 18800103,
  legacySandbox: 18800104,
  ordersProduction: 18800201,
};
export const TIER = { gold: 5100101, silver: 5100102, bronze: 5100103, customersFree: 5100104 };
export const LEGACY_APP = 2690001;
export const LEGACY_CONTRACT = 7330001;

export const E2 = `/exchange/api/v2/organizations/${ROOT}/applications`;
export const R2 = `/apiplatform/repository/v2/organizations/${ROOT}/applications`;
export const amApis = (env = SANDBOX) => `/apimanager/api/v1/organizations/${ROOT}/environments/${env}/apis`;
export const amContracts = (apiId: number, env = SANDBOX) => `${amApis(env)}/${apiId}/contracts`;
export const xapiContract = (apiId: number, contractId: number, action: string, env = SANDBOX) =>
  `/apimanager/xapi/v1/organizations/${ROOT}/environments/${env}/apis/${apiId}/contracts/${contractId}/${action}`;

export interface Answer {
  status: number;
  headers: Headers;
  body: unknown;
}

/** Every Exchange/Platform 403 body, exactly (docs/anypoint.md section 6). */
export const EXCHANGE_403 = { status: 403, message: "Unauthorized", details: {} };

export interface Session {
  emulator: RunningEmulator;
  control: ReturnType<typeof controlClient>;
  /** A raw HTTP call; `token` adds a bearer header. */
  call(
    method: string,
    path: string,
    options?: { token?: string; body?: unknown; form?: Record<string, string> },
  ): Promise<Answer>;
  token(credentials?: { clientId: string; clientSecret: string }): Promise<string>;
  userToken(username: string, password: string): Promise<string>;
  close(): Promise<void>;
}

export async function start(options: EmulatorOptions = {}): Promise<Session> {
  const emulator = await startEmulator({ port: 0, ...options });
  const call: Session["call"] = async (method, path, { token, body, form } = {}) => {
    const headers: Record<string, string> = {};
    if (token) headers.authorization = `Bearer ${token}`;
    let payload: string | undefined;
    if (form) {
      headers["content-type"] = "application/x-www-form-urlencoded";
      payload = new URLSearchParams(form).toString();
    } else if (body !== undefined) {
      headers["content-type"] = "application/json";
      payload = JSON.stringify(body);
    }
    const response = await fetch(`${emulator.url}${path}`, { method, headers, body: payload });
    const text = await response.text();
    return { status: response.status, headers: response.headers, body: text ? JSON.parse(text) : undefined };
  };
  const grant = async (body: Record<string, string>) => {
    const answer = await call("POST", "/accounts/api/v2/oauth2/token", { body });
    if (answer.status !== 200) throw new Error(`token: ${answer.status} ${JSON.stringify(answer.body)}`);
    return (answer.body as { access_token: string }).access_token;
  };
  return {
    emulator,
    control: controlClient(emulator.url),
    call,
    token: (credentials = FULL) =>
      grant({
        grant_type: "client_credentials",
        client_id: credentials.clientId,
        client_secret: credentials.clientSecret,
      }),
    userToken: (username, password) =>
      grant({
        grant_type: "password",
        username,
        password,
        client_id: FULL.clientId,
        client_secret: FULL.clientSecret,
      }),
    close: () => emulator.close(),
  };
}

/** A started emulator and a token of the full-scope connected app. */
export async function startWithToken(
  options: EmulatorOptions = {},
): Promise<{ session: Session; token: string }> {
  const session = await start(options);
  return { session, token: await session.token() };
}

/** A valid CreateContractV2 body for an API instance of the default seed. */
export function contractRequest(
  apiId: number,
  requestedTierId?: number,
  asset: { assetId: string; version: string; versionGroup: string } = {
    assetId: "orders-api",
    version: "1.2.0",
    versionGroup: "v1",
  },
): Record<string, unknown> {
  return {
    acceptedTerms: true,
    instanceType: "api",
    organizationId: ROOT,
    groupId: ROOT,
    ...asset,
    apiId: String(apiId),
    ...(requestedTierId === undefined ? {} : { requestedTierId }),
  };
}

export const ASSETS = {
  orders: { assetId: "orders-api", version: "1.2.0", versionGroup: "v1" },
  payments: { assetId: "payments-api", version: "2.0.1", versionGroup: "v2" },
  customers: { assetId: "customers-api", version: "1.0.0", versionGroup: "v1" },
  legacy: { assetId: "legacy-api", version: "0.9.0", versionGroup: "v0" },
};
