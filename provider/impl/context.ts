import { AnypointClient, type ClientOptions } from "../../client";

/** What `configure()` receives: the stack's config, keys `anypoint:baseUrl` and so on. */
export interface StackConfig {
  get(key: string): string | undefined;
}

/** Stack config keys in the `anypoint:` namespace, mapped to client options. */
export const CONFIG_KEYS = {
  baseUrl: "anypoint:baseUrl",
  clientId: "anypoint:clientId",
  clientSecret: "anypoint:clientSecret",
  username: "anypoint:username",
  password: "anypoint:password",
  accessToken: "anypoint:accessToken",
  organizationId: "anypoint:organizationId",
  maxConcurrency: "anypoint:maxConcurrency",
} as const;

/** Client options from stack config; unset keys fall back to the client's environment variables. */
export function optionsFromConfig(config: StackConfig): ClientOptions {
  const options: ClientOptions = {};
  for (const [option, key] of Object.entries(CONFIG_KEYS) as [keyof typeof CONFIG_KEYS, string][]) {
    const value = config.get(key);
    if (value === undefined || value === "") continue;
    if (option === "maxConcurrency") options.maxConcurrency = Number(value);
    else options[option] = value;
  }
  return options;
}

/**
 * One Anypoint client per provider process, shared by every resource of the run: one token, one
 * concurrency limit, one root-organization lookup. Credentials are read here, at run time, and
 * never reach the serialized provider in state.
 */
class ProviderContext {
  private options: ClientOptions = {};
  private fingerprint = "";
  private instance?: AnypointClient;

  configure(config: StackConfig): void {
    const options = optionsFromConfig(config);
    const fingerprint = JSON.stringify(options);
    // Each resource kind's provider calls configure with the same config: keep the client (and its token).
    if (fingerprint === this.fingerprint && this.instance) return;
    this.options = options;
    this.fingerprint = fingerprint;
    // Built now so that bad configuration (no credentials, plain http to a remote host) fails
    // the preview, before anything is changed.
    this.instance = AnypointClient.fromOptions(options, process.env);
  }

  get client(): AnypointClient {
    this.instance ??= AnypointClient.fromOptions(this.options, process.env);
    return this.instance;
  }

  rootOrganizationId(): Promise<string> {
    return this.client.rootOrganizationId();
  }
}

export const context = new ProviderContext();
