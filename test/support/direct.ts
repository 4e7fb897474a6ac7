import type * as pulumi from "@pulumi/pulumi";
import { controlClient, startEmulator, type ControlClient, type RunningEmulator } from "../../emulator";
import { makeApiContractProvider } from "../../provider/impl/apiContractProvider";
import { makeClientApplicationProvider } from "../../provider/impl/clientApplicationProvider";
import { ProviderContext } from "../../provider/impl/context";
import { SEED } from "./harness";

type Provider = Required<
  Pick<pulumi.dynamic.ResourceProvider, "check" | "diff" | "create" | "read" | "update" | "delete">
>;

/**
 * The providers called directly (no Pulumi engine), against an in-process emulator on port 0,
 * as the full-scope connected app. Each instance has its own context (client and token) and
 * loads its own copy of the provider modules, so the lookup caches of one test never serve another.
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
  const config: Record<string, string> = {
    "anypoint:baseUrl": emulator.url,
    "anypoint:clientId": credentials.clientId,
    "anypoint:clientSecret": credentials.clientSecret,
  };
  let loaded!: { app: Provider; contract: Provider };
  jest.isolateModules(() => {
    // The context from the same copy of the modules: errors are recognised by their class.
    const { ProviderContext: IsolatedContext } =
      require("../../provider/impl/context") as typeof import("../../provider/impl/context");
    const context = new IsolatedContext();
    context.configure({ get: (key) => config[key] });
    loaded = providersOf(
      context,
      require("../../provider/impl/clientApplicationProvider") as typeof import("../../provider/impl/clientApplicationProvider"),
      require("../../provider/impl/apiContractProvider") as typeof import("../../provider/impl/apiContractProvider"),
    );
  });
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
    app: loaded.app,
    contract: loaded.contract,
    calls,
    writes: async () => (await calls()).filter((call) => !call.startsWith("GET ")),
    clearRequests: () => control.clearRequests(),
    close: () => emulator.close(),
  };
}

function providersOf(
  context: ProviderContext,
  application: { makeClientApplicationProvider: typeof makeClientApplicationProvider },
  contract: { makeApiContractProvider: typeof makeApiContractProvider },
): { app: Provider; contract: Provider } {
  return {
    app: application.makeClientApplicationProvider(context) as Provider,
    contract: contract.makeApiContractProvider(context) as Provider,
  };
}

/**
 * The providers with a context that was never configured, taking inputs as a program's
 * untyped declaration: enough for `check` and `diff`, which send nothing to Anypoint.
 */
export function offlineProviders(): { app: Provider; contract: Provider } {
  return providersOf(new ProviderContext(), { makeClientApplicationProvider }, { makeApiContractProvider });
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
