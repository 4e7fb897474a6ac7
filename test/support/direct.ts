import type * as pulumi from "@pulumi/pulumi";
import { controlClient, startEmulator, type ControlClient, type RunningEmulator } from "../../emulator";
import { SEED } from "./harness";

type Provider = Required<
  Pick<pulumi.dynamic.ResourceProvider, "check" | "diff" | "create" | "read" | "update" | "delete">
>;

/**
 * The providers called directly (no Pulumi engine), against an in-process emulator on port 0,
 * as the full-scope connected app. Each instance loads its own copy of the provider modules, so
 * the per-process client, token and lookup caches of one test never serve another.
 */
export interface Direct {
  url: string;
  control: ControlClient;
  app: Provider;
  contract: Provider;
  /** The requests the provider sent since the last `clearRequests`, as "METHOD path -> status"; token requests left out. */
  calls(): Promise<string[]>;
  /** The same, only the writes (no GET). */
  writes(): Promise<string[]>;
  clearRequests(): Promise<void>;
  close(): Promise<void>;
}

export async function startDirect(
  credentials: { clientId: string; clientSecret: string } = SEED.full,
): Promise<Direct> {
  const emulator: RunningEmulator = await startEmulator({ port: 0 });
  let loaded: {
    app: Provider;
    contract: Provider;
    configure: (get: (key: string) => string | undefined) => void;
  };
  jest.isolateModules(() => {
    const { context } =
      require("../../provider/impl/context") as typeof import("../../provider/impl/context");
    loaded = {
      app: (
        require("../../provider/impl/clientApplicationProvider") as typeof import("../../provider/impl/clientApplicationProvider")
      ).clientApplicationProvider as Provider,
      contract: (
        require("../../provider/impl/apiContractProvider") as typeof import("../../provider/impl/apiContractProvider")
      ).apiContractProvider as Provider,
      configure: (get) => context.configure({ get }),
    };
  });
  const config: Record<string, string> = {
    "anypoint:baseUrl": emulator.url,
    "anypoint:clientId": credentials.clientId,
    "anypoint:clientSecret": credentials.clientSecret,
  };
  loaded!.configure((key) => config[key]);
  const control = controlClient(emulator.url);
  const calls = async () =>
    (await control.requests()).requests
      .filter((entry) => !entry.path.endsWith("/oauth2/token"))
      .map(
        (entry) => `${entry.method} ${entry.path}${entry.query ? `?${entry.query}` : ""} -> ${entry.status}`,
      );
  return {
    url: emulator.url,
    control,
    app: loaded!.app,
    contract: loaded!.contract,
    calls,
    writes: async () => (await calls()).filter((call) => !call.startsWith("GET ")),
    clearRequests: () => control.clearRequests(),
    close: () => emulator.close(),
  };
}

const ROOT = SEED.rootOrganizationId;

/** The paths the provider calls, for exact request-log expectations. */
export const paths = {
  me: "/accounts/api/me",
  applications: `/exchange/api/v2/organizations/${ROOT}/applications`,
  application: (id: number) => `/exchange/api/v2/organizations/${ROOT}/applications/${id}`,
  applicationContracts: (appId: number) =>
    `/exchange/api/v2/organizations/${ROOT}/applications/${appId}/contracts`,
  adminApplications: `/apiplatform/repository/v2/organizations/${ROOT}/applications`,
  api: (environmentId: string, apiId: number) =>
    `/apimanager/api/v1/organizations/${ROOT}/environments/${environmentId}/apis/${apiId}`,
  apiContracts: (environmentId: string, apiId: number) =>
    `/apimanager/api/v1/organizations/${ROOT}/environments/${environmentId}/apis/${apiId}/contracts`,
  apiContract: (environmentId: string, apiId: number, contractId: number) =>
    `/apimanager/api/v1/organizations/${ROOT}/environments/${environmentId}/apis/${apiId}/contracts/${contractId}`,
  contractAction: (environmentId: string, apiId: number, contractId: number, action: string) =>
    `/apimanager/xapi/v1/organizations/${ROOT}/environments/${environmentId}/apis/${apiId}/contracts/${contractId}/${action}`,
};

/** What a provider's diff answers. */
export interface DiffAnswer {
  changes: boolean;
  replaces: string[];
  deleteBeforeReplace: boolean;
}

/** One rule of a provider's diff: the recorded state changed by `olds`, the new inputs, and the answer. */
export interface DiffRow<State> {
  rule: string;
  olds: Partial<State>;
  news: Record<string, unknown>;
  expected: DiffAnswer;
}

/** The diff of inputs that change nothing. */
export const same = { changes: false, replaces: [], deleteBeforeReplace: false };
/** The diff of inputs that change the resource in place. */
export const update = { changes: true, replaces: [], deleteBeforeReplace: false };
