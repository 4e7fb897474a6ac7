import type { ClientOptions } from "../client";

export { ENVIRONMENT } from "../client";

/**
 * pulumi-anypoint's configuration, in one place: the stack config keys the provider and the
 * lookups read, and (`ENVIRONMENT`, from client/config.ts) the environment variables the client
 * falls back to. The CLI resolves its configuration from the same two lists.
 */

/** Stack config, as `configure()` receives it: keys `anypoint:baseUrl` and so on. */
export interface StackConfig {
  get(key: string): string | undefined;
}

/** Stack config keys in the `anypoint:` namespace, by client option. */
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
