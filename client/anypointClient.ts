import { type ClientConfig, type ClientOptions, resolveClientConfig } from "./config";
import { AnypointError, absentFromListError, isAnypointError, withHint } from "./errors";
import { HttpCore, path } from "./http";
import * as schemas from "./schemas";
import { z } from "zod";
import type {
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
} from "./types";

const AM = "/apimanager/api/v1";
const anyBody = z.unknown();
const XAPI = "/apimanager/xapi/v1";
const PAGE = 250;
/** API Manager pages API instances by asset; its documented default (and the safe size) is 100. */
const ASSET_PAGE = 100;

export interface ApiInstanceFilter {
  assetId?: string;
  groupId?: string;
  assetVersion?: string;
  productVersion?: string;
  instanceLabel?: string;
  query?: string;
}

type ContractAction = "approve" | "reject" | "revoke" | "restore";
const ACTION_OUTCOME: Record<ContractAction, string> = {
  approve: "APPROVED",
  reject: "REJECTED",
  revoke: "REVOKED",
  restore: "APPROVED",
};

/**
 * The Anypoint Platform calls pulumi-anypoint makes: client applications (Exchange v2 and the
 * API Platform repository v2), contracts (Exchange v2, API Manager), API instances and tiers.
 * Lists come back whole, across pages. Errors are `AnypointError`s with a hint for a person.
 */
export class AnypointClient {
  private readonly http: HttpCore;
  private rootOrganization?: Promise<string>;

  constructor(readonly config: ClientConfig) {
    this.http = new HttpCore(config);
  }

  static fromOptions(options?: ClientOptions, env?: NodeJS.ProcessEnv): AnypointClient {
    return new AnypointClient(resolveClientConfig(options, env));
  }

  get baseUrl(): string {
    return this.config.baseUrl;
  }

  /** Token requests made so far (one per process unless the token expires). */
  get tokenRequestCount(): number {
    return this.http.tokenRequestCount;
  }

  /** Removes any of this client's secrets from a text (for callers that log service answers). */
  redact(text: string): string {
    return this.http.redact(text);
  }

  /** Fetches a token now (doctor uses it to check the credentials on their own). */
  async authenticate(): Promise<void> {
    await this.http.accessToken();
  }

  /**
   * A GET of any Anypoint path (already encoded), with this client's token, retries and error
   * hints: for checks outside the typed operations (doctor, discover). Only routes relative to the
   * base URL (one leading "/") are sent: an absolute or `//host` URL would carry the token away.
   */
  get(route: string, query?: Record<string, string | number | boolean | undefined>): Promise<unknown> {
    return this.http.request({ operation: "request", method: "GET", path: route, query, schema: anyBody });
  }

  me(): Promise<Me> {
    return this.http.request({
      operation: "me",
      method: "GET",
      path: "/accounts/api/me",
      schema: schemas.me,
    });
  }

  /** The configured root organization, else the organization of the credentials (`/accounts/api/me`), asked once. */
  rootOrganizationId(): Promise<string> {
    if (this.config.organizationId) return Promise.resolve(this.config.organizationId);
    this.rootOrganization ??= this.me().then((me) => {
      const id = me.user?.organization?.id ?? me.user?.organizationId;
      if (!id) {
        throw new AnypointError({
          code: "validation",
          method: "GET",
          path: "/accounts/api/me",
          message: "Anypoint did not say which organization the credentials belong to",
          hint: "Set anypoint:organizationId (or ANYPOINT_ORGANIZATION_ID) to the root organization id",
        });
      }
      return id;
    });
    this.rootOrganization.catch(() => (this.rootOrganization = undefined));
    return this.rootOrganization;
  }

  /** The environments of an organization or business group (Access Management). */
  async listEnvironments(orgId: string): Promise<Environment[]> {
    const page = await this.http.request({
      operation: "listEnvironments",
      method: "GET",
      path: path`/accounts/api/organizations/${orgId}/environments`,
      schema: schemas.environmentList,
      context: { organizationId: orgId },
    });
    return page.data;
  }

  // ---- client applications -------------------------------------------------------------

  async createApplication(
    orgId: string,
    input: ApplicationInput,
    options: { apiInstanceId?: number; once?: boolean } = {},
  ): Promise<Application> {
    // Only an application absent before the POST can be the result of a lost answer: one that
    // already had this name is someone else's (the POST answers 409 for it), never adopted silently.
    const before = options.once ? undefined : await snapshot(() => this.ownApplicationIds(orgId, input.name));
    try {
      return await this.http.request({
        operation: "createApplication",
        method: "POST",
        path: path`/exchange/api/v2/organizations/${orgId}/applications`,
        query: { apiInstanceId: options.apiInstanceId },
        body: input,
        schema: schemas.application,
        context: { organizationId: orgId },
        once: options.once,
        what: `client application "${input.name}"`,
        // A create whose answer was lost may have gone through: look before sending it again. List
        // items carry no client id: the application itself is read for it.
        recover: async () => {
          const made = newId(before, await this.ownApplicationIds(orgId, input.name));
          return made === undefined ? undefined : this.getApplication(orgId, made);
        },
      });
    } catch (error) {
      if (isAnypointError(error, "conflict")) throw await this.duplicateNameError(orgId, input.name, error);
      if (
        isAnypointError(error, "bad_request") &&
        /apiInstanceId|groupInstanceId/i.test(error.serviceMessage ?? "")
      ) {
        throw withHint(
          error,
          "This organization uses an external identity provider: set apiInstanceId on the ClientApplication to an API instance it will use",
        );
      }
      throw error;
    }
  }

  private async duplicateNameError(
    orgId: string,
    name: string,
    conflict: AnypointError,
  ): Promise<AnypointError> {
    let existing = "";
    try {
      const matches = await this.findApplicationsByName(orgId, name);
      const own =
        matches.length > 0
          ? matches
          : (await this.listOwnApplications(orgId, { query: name, literalMatch: true })).filter(
              (app) => app.name === name,
            );
      if (own.length > 0) existing = ` (id ${own.map((app) => app.id).join(", ")})`;
    } catch {
      // The hint below still applies without the id.
    }
    return withHint(
      conflict,
      `A client application named "${name}" already exists${existing}: names are unique in the organization`,
      "an application with this name already exists",
    );
  }

  /** Ids of the caller's own applications named exactly `name`. */
  private async ownApplicationIds(orgId: string, name: string): Promise<number[]> {
    const own = await this.listOwnApplications(orgId, { query: name, literalMatch: true });
    return own.filter((app) => app.name === name).map((app) => app.id);
  }

  getApplication(orgId: string, applicationId: number): Promise<Application> {
    return this.http.request({
      operation: "getApplication",
      method: "GET",
      path: appPath(orgId, applicationId),
      object: true,
      schema: schemas.application,
      context: { organizationId: orgId, applicationId },
    });
  }

  updateApplication(
    orgId: string,
    applicationId: number,
    patch: Partial<ApplicationInput>,
  ): Promise<Application> {
    return this.http.request({
      operation: "updateApplication",
      method: "PATCH",
      path: appPath(orgId, applicationId),
      object: true,
      body: patch,
      schema: schemas.application,
      context: { organizationId: orgId, applicationId },
    });
  }

  async deleteApplication(orgId: string, applicationId: number): Promise<void> {
    await ignoreNotFound(
      this.http.request({
        operation: "deleteApplication",
        method: "DELETE",
        path: appPath(orgId, applicationId),
        object: true,
        context: { organizationId: orgId, applicationId },
      }),
    );
  }

  /** Resets the client secret; returns the application with its new secret. */
  async resetApplicationSecret(orgId: string, applicationId: number): Promise<Application> {
    await this.http.request({
      operation: "resetApplicationSecret",
      method: "POST",
      path: `${appPath(orgId, applicationId)}/secret/reset`,
      context: { organizationId: orgId, applicationId },
    });
    return this.getApplication(orgId, applicationId);
  }

  /**
   * The applications the caller created (Exchange v2), every page. The items carry no client id
   * or secret (docs/anypoint.md section 2): read an application with getApplication for them.
   */
  async listOwnApplications(
    orgId: string,
    filter: { query?: string; literalMatch?: boolean } = {},
  ): Promise<ApplicationListItem[]> {
    const { items } = await everyPage(
      PAGE,
      (offset, limit) =>
        this.http.request({
          operation: "listOwnApplications",
          method: "GET",
          path: path`/exchange/api/v2/organizations/${orgId}/applications`,
          query: { query: filter.query, literalMatch: filter.literalMatch, offset, limit },
          schema: schemas.applicationListItem.array(),
          context: { organizationId: orgId },
        }),
      (page) => page,
    );
    return items;
  }

  /**
   * Every application of the organization (API Platform repository v2, admin view), every page.
   * Beware: without a read scope Anypoint answers an empty list, not a 403 (KB 005385409).
   */
  async listAllApplications(
    orgId: string,
    filter: { query?: string } = {},
  ): Promise<{ applications: AdminApplication[]; total: number }> {
    const { items, total } = await everyPage(
      PAGE,
      (offset, limit) =>
        this.http.request({
          operation: "listAllApplications",
          method: "GET",
          path: path`/apiplatform/repository/v2/organizations/${orgId}/applications`,
          query: { targetAdminSite: true, query: filter.query, offset, limit },
          schema: schemas.adminApplicationList,
          context: { organizationId: orgId },
        }),
      (page) => page.applications,
      (page) => page.total,
    );
    return { applications: items, total };
  }

  /**
   * One application as the admin list shows it. An application known to exist (its own GET
   * answers) but absent from the list means the credentials lack a read scope, never that it was
   * deleted (the empty-200 trap, KB 005385409); only a 404 on the application itself proves that.
   */
  async findAdminApplication(orgId: string, applicationId: number, name?: string): Promise<AdminApplication> {
    const { applications } = await this.listAllApplications(orgId, name === undefined ? {} : { query: name });
    const found = applications.find((app) => app.id === applicationId);
    if (found) return found;
    // Throws not_found when it is really gone (or forbidden when it cannot be read at all).
    const app = await this.getApplication(orgId, applicationId);
    throw absentFromListError(
      `application ${applicationId} ("${app.name}")`,
      path`/apiplatform/repository/v2/organizations/${orgId}/applications`,
    );
  }

  /** Applications whose name is exactly `name`, from the admin list. */
  async findApplicationsByName(orgId: string, name: string): Promise<AdminApplication[]> {
    const { applications } = await this.listAllApplications(orgId, { query: name });
    return applications.filter((app) => app.name === name);
  }

  // ---- contracts ------------------------------------------------------------------------

  async createContract(
    orgId: string,
    applicationId: number,
    body: CreateContractRequest,
  ): Promise<ExchangeContract> {
    // One contract per application and API instance; only one absent before the POST can be the
    // result of a lost answer (an existing one makes the POST answer 409). The snapshot is the
    // application's own contract list (Exchange: a few light items), not the API's list in API
    // Manager, which grows with every consumer of the API and would make each request cost more.
    const idsOfApp = async () =>
      (await this.listApplicationContracts(orgId, applicationId)).map((contract) => contract.id);
    const before = await snapshot(idsOfApp);
    const apiId = Number(body.apiId);
    return this.http
      .request({
        operation: "createContract",
        method: "POST",
        path: `${appPath(orgId, applicationId)}/contracts`,
        // CreateContractV2 types apiId as a string; the service accepts both.
        body: { ...body, apiId: String(body.apiId) },
        schema: schemas.exchangeContract,
        context: { organizationId: body.organizationId, environmentId: body.environmentId, applicationId },
        what: `the contract of application ${applicationId} with API instance ${body.apiId}`,
        recover: async () => {
          // Exchange's list items name no API (docs/anypoint.md section 3): of the application's new
          // contracts, this request's is the one API Manager serves under this API instance.
          const made: ManagedContract[] = [];
          for (const id of newIds(before, await idsOfApp())) {
            const contract = await this.contractOfApi(body.organizationId, body.environmentId, apiId, id);
            if (contract && contract.applicationId === applicationId) made.push(contract);
          }
          const contract = atMostOne(made);
          // API Manager names the application's client id coreServicesId.
          return contract ? { ...contract, clientId: contract.application?.coreServicesId } : undefined;
        },
      })
      .catch((error: unknown) => {
        if (isAnypointError(error, "conflict")) {
          throw withHint(
            error,
            `Application ${applicationId} already has a contract with API instance ${body.apiId}: one contract per application and API instance`,
          );
        }
        throw error;
      });
  }

  /** An application's contracts as Exchange lists them (light: id, status, tier). */
  listApplicationContracts(orgId: string, applicationId: number): Promise<ExchangeContractSummary[]> {
    return this.http.request({
      operation: "listApplicationContracts",
      method: "GET",
      path: `${appPath(orgId, applicationId)}/contracts`,
      schema: schemas.exchangeContractSummary.array(),
      context: { organizationId: orgId, applicationId },
    });
  }

  /** Consumer side: asks for another tier (pending if that tier needs approval). */
  async changeContractTier(
    orgId: string,
    applicationId: number,
    contractId: number,
    requestedTierId: number,
  ): Promise<void> {
    await this.http.request({
      operation: "changeContractTier",
      method: "PATCH",
      path: `${appPath(orgId, applicationId)}${path`/contracts/${contractId}`}`,
      body: { requestedTierId },
      object: true,
      context: { organizationId: orgId, applicationId },
    });
  }

  /** An API instance's contracts (API Manager), every page. */
  async listApiContracts(
    orgId: string,
    environmentId: string,
    apiInstanceId: number,
    filter: { status?: string } = {},
  ): Promise<ManagedContract[]> {
    const { items } = await everyPage(
      PAGE,
      (offset, limit) =>
        this.http.request({
          operation: "listApiContracts",
          method: "GET",
          path: `${apiPath(orgId, environmentId, apiInstanceId)}/contracts`,
          query: { status: filter.status, offset, limit },
          schema: schemas.managedContractList,
          context: { organizationId: orgId, environmentId },
        }),
      (page) => page.contracts,
      (page) => page.total,
    );
    return items;
  }

  getApiContract(
    orgId: string,
    environmentId: string,
    apiInstanceId: number,
    contractId: number,
  ): Promise<ManagedContract> {
    return this.http.request({
      operation: "getApiContract",
      method: "GET",
      path: contractPath(orgId, environmentId, apiInstanceId, contractId),
      object: true,
      schema: schemas.managedContract,
      context: { organizationId: orgId, environmentId },
    });
  }

  /** The contract under this API instance's path, or undefined when API Manager has none of that id there. */
  private async contractOfApi(
    orgId: string,
    environmentId: string,
    apiInstanceId: number,
    contractId: number,
  ): Promise<ManagedContract | undefined> {
    try {
      return await this.getApiContract(orgId, environmentId, apiInstanceId, contractId);
    } catch (error) {
      if (isAnypointError(error, "not_found")) return undefined;
      throw error;
    }
  }

  /** Provider side: sets the tier directly (as the API owner). */
  setApiContractTier(
    orgId: string,
    environmentId: string,
    apiInstanceId: number,
    contractId: number,
    tierId: number,
  ): Promise<ManagedContract> {
    return this.http.request({
      operation: "setApiContractTier",
      method: "PATCH",
      path: contractPath(orgId, environmentId, apiInstanceId, contractId),
      object: true,
      body: { tierId },
      schema: schemas.managedContract,
      context: { organizationId: orgId, environmentId },
    });
  }

  async deleteApiContract(
    orgId: string,
    environmentId: string,
    apiInstanceId: number,
    contractId: number,
  ): Promise<void> {
    await ignoreNotFound(
      this.http.request({
        operation: "deleteApiContract",
        method: "DELETE",
        path: contractPath(orgId, environmentId, apiInstanceId, contractId),
        object: true,
        context: { organizationId: orgId, environmentId },
      }),
    );
  }

  approveContract(
    orgId: string,
    environmentId: string,
    apiInstanceId: number,
    contractId: number,
    options: { once?: boolean } = {},
  ): Promise<ManagedContract> {
    return this.contractAction("approve", orgId, environmentId, apiInstanceId, contractId, options);
  }

  rejectContract(
    orgId: string,
    environmentId: string,
    apiInstanceId: number,
    contractId: number,
  ): Promise<ManagedContract> {
    return this.contractAction("reject", orgId, environmentId, apiInstanceId, contractId);
  }

  revokeContract(
    orgId: string,
    environmentId: string,
    apiInstanceId: number,
    contractId: number,
  ): Promise<ManagedContract> {
    return this.contractAction("revoke", orgId, environmentId, apiInstanceId, contractId);
  }

  restoreContract(
    orgId: string,
    environmentId: string,
    apiInstanceId: number,
    contractId: number,
  ): Promise<ManagedContract> {
    return this.contractAction("restore", orgId, environmentId, apiInstanceId, contractId);
  }

  private contractAction(
    action: ContractAction,
    orgId: string,
    environmentId: string,
    apiInstanceId: number,
    contractId: number,
    options: { once?: boolean } = {},
  ): Promise<ManagedContract> {
    return this.http.request({
      operation: `${action}Contract`,
      method: "POST",
      path: `${XAPI}${contractPath(orgId, environmentId, apiInstanceId, contractId).slice(AM.length)}/${action}`,
      body: {},
      schema: schemas.managedContract,
      context: { organizationId: orgId, environmentId },
      once: options.once,
      // Sent again after a lost answer, an action already done would answer 409: look first.
      recover: async () => {
        const contract = await this.getApiContract(orgId, environmentId, apiInstanceId, contractId);
        const done = contract.status === ACTION_OUTCOME[action] && !contract.requestedTierId;
        return done ? contract : undefined;
      },
    });
  }

  // ---- API instances and tiers ----------------------------------------------------------

  /** An environment's API instances, across every page of assets (API Manager pages over assets). */
  async listApiInstances(
    orgId: string,
    environmentId: string,
    filter: ApiInstanceFilter = {},
  ): Promise<ApiInstance[]> {
    const { items: assets } = await everyPage(
      ASSET_PAGE,
      (offset, limit) =>
        this.http.request({
          operation: "listApiInstances",
          method: "GET",
          path: path`/apimanager/api/v1/organizations/${orgId}/environments/${environmentId}/apis`,
          query: { ...filter, offset, limit },
          schema: schemas.apiInstancePage,
          context: { organizationId: orgId, environmentId },
        }),
      (page) => page.assets,
      (page) => page.total,
    );
    // Items name no groupId or assetId: the asset around them does (responses/apisSearch).
    return assets.flatMap((asset) =>
      asset.apis.map((api) =>
        withPlace({ ...api, groupId: asset.groupId, assetId: asset.assetId }, orgId, environmentId),
      ),
    );
  }

  /**
   * One API instance. Its own GET names neither the instance's groupId nor its assetId
   * (getEnvironmentApi.yaml), so they come from the instance list, narrowed by its versions.
   */
  async getApiInstance(orgId: string, environmentId: string, apiInstanceId: number): Promise<ApiInstance> {
    const single = await this.http.request({
      operation: "getApiInstance",
      method: "GET",
      path: apiPath(orgId, environmentId, apiInstanceId),
      object: true,
      schema: schemas.environmentApi,
      context: { organizationId: orgId, environmentId },
    });
    const listed = (
      await this.listApiInstances(orgId, environmentId, {
        assetVersion: single.assetVersion,
        productVersion: single.productVersion,
        instanceLabel: single.instanceLabel ?? undefined,
      })
    ).find((api) => api.id === apiInstanceId);
    if (!listed) {
      throw new AnypointError({
        code: "empty_list",
        method: "GET",
        path: path`/apimanager/api/v1/organizations/${orgId}/environments/${environmentId}/apis`,
        status: 200,
        message: `API instance ${apiInstanceId} answers its own GET but is missing from the instance list`,
        hint: "The list names the instance's asset (groupId, assetId); check that the credentials have View APIs Configuration (read:api_configuration) in this environment",
      });
    }
    return { ...listed, deprecated: single.deprecated ?? listed.deprecated };
  }

  async listTiers(orgId: string, environmentId: string, apiInstanceId: number): Promise<Tier[]> {
    const { items } = await everyPage(
      PAGE,
      (offset, limit) =>
        this.http.request({
          operation: "listTiers",
          method: "GET",
          path: `${apiPath(orgId, environmentId, apiInstanceId)}/tiers`,
          query: { offset, limit },
          schema: schemas.tierList,
          context: { organizationId: orgId, environmentId },
        }),
      (page) => page.tiers,
      (page) => page.total,
    );
    return items;
  }

  /** Exchange's view of an asset's instances in one version group. */
  findAssetInstances(
    groupId: string,
    assetId: string,
    versionGroup: string,
  ): Promise<{ id: number | string }[]> {
    return this.http.request({
      operation: "findAssetInstances",
      method: "GET",
      path: path`/exchange/api/v2/assets/${groupId}/${assetId}/versionGroups/${versionGroup}/instances`,
      schema: schemas.assetInstances,
    });
  }
}

/**
 * Every item of a paged list: pages of `size` from offset 0 until a short page, or until the
 * list's `total` (when it reports one) is reached.
 */
async function everyPage<Page, Item>(
  size: number,
  fetchPage: (offset: number, limit: number) => Promise<Page>,
  itemsOf: (page: Page) => Item[],
  totalOf: (page: Page) => number | undefined = () => undefined,
): Promise<{ items: Item[]; total: number }> {
  const items: Item[] = [];
  for (let offset = 0; ; offset += size) {
    const page = await fetchPage(offset, size);
    const pageItems = itemsOf(page);
    items.push(...pageItems);
    const total = totalOf(page);
    if (pageItems.length < size || (total !== undefined && items.length >= total)) {
      return { items, total: total ?? items.length };
    }
  }
}

function appPath(orgId: string, applicationId: number): string {
  return path`/exchange/api/v2/organizations/${orgId}/applications/${applicationId}`;
}

function apiPath(orgId: string, environmentId: string, apiInstanceId: number): string {
  return path`/apimanager/api/v1/organizations/${orgId}/environments/${environmentId}/apis/${apiInstanceId}`;
}

function contractPath(
  orgId: string,
  environmentId: string,
  apiInstanceId: number,
  contractId: number,
): string {
  return `${apiPath(orgId, environmentId, apiInstanceId)}${path`/contracts/${contractId}`}`;
}

function withPlace(
  api: Omit<ApiInstance, "organizationId" | "environmentId"> & {
    organizationId?: string;
    environmentId?: string;
  },
  orgId: string,
  environmentId: string,
): ApiInstance {
  return {
    ...api,
    organizationId: api.organizationId ?? orgId,
    environmentId: api.environmentId ?? environmentId,
  };
}

/** What `read` returns now, or undefined when it failed (then nothing found later can be adopted). */
async function snapshot<T>(read: () => Promise<T>): Promise<T | undefined> {
  try {
    return await read();
  } catch {
    return undefined;
  }
}

/** The ids in `now` that were not in `before`. Throws when there was no snapshot: then a lost answer's result cannot be told apart. */
function newIds(before: number[] | undefined, now: number[]): number[] {
  if (before === undefined) throw new Error("nothing was listed before the request");
  return now.filter((id) => !before.includes(id));
}

/** The one id in `now` that was not in `before`, or undefined (see newIds and atMostOne). */
function newId(before: number[] | undefined, now: number[]): number | undefined {
  return atMostOne(newIds(before, now));
}

/** What a lost answer made: nothing, or one candidate; several cannot be told apart, so it throws. */
function atMostOne<T>(candidates: T[]): T | undefined {
  if (candidates.length > 1) throw new Error(`${candidates.length} candidates appeared`);
  return candidates[0];
}

async function ignoreNotFound(request: Promise<unknown>): Promise<void> {
  try {
    await request;
  } catch (error) {
    if (!isAnypointError(error, "not_found")) throw error;
  }
}
