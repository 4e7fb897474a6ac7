/**
 * The Anypoint Platform HTTP client of pulumi-anypoint: authentication (connected app client
 * credentials, password grant, bearer token), paging, retries, and errors that name the missing
 * scope. No Pulumi dependency: the resources and the command-line tools both use it.
 */
export { AnypointClient, type ApiInstanceFilter } from "./anypointClient";
export {
  resolveClientConfig,
  normalizeBaseUrl,
  DEFAULT_BASE_URL,
  ENVIRONMENT,
  type ClientConfig,
  type ClientOptions,
  type Credentials,
} from "./config";
export { AnypointError, absentFromListError, isAnypointError, withAdvice, type ErrorCode } from "./errors";
export { retryDelay } from "./retryPolicy";
export { requiredScopes, forbiddenHint, type Operation } from "./scopes";
export type {
  AdminApplication,
  ApiInstance,
  Application,
  ApplicationInput,
  ApplicationListItem,
  CreateContractRequest,
  Environment,
  ExchangeContract,
  ExchangeContractSummary,
  ManagedContract,
  Me,
  Tier,
  TierSummary,
} from "./types";
