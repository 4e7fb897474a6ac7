/**
 * pulumi-anypoint: MuleSoft Anypoint Platform client applications and API contracts as Pulumi
 * resources. See the README for configuration, scopes and examples.
 */
export { ClientApplication, type ClientApplicationArgs, type GrantType } from "./clientApplication";
export { ApiContract, type ApiContractArgs, type ContractStatus } from "./apiContract";
export { getApiInstance, getTier, type GetApiInstanceArgs, type GetTierArgs } from "./lookups";
export { CONFIG_KEYS, ENVIRONMENT, optionsFromConfig, type StackConfig } from "./config";
export type { ApiInstance, Tier } from "../client";
