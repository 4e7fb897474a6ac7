import type * as pulumi from "@pulumi/pulumi";
import {
  type AnypointClient,
  type ApiInstance,
  type ErrorCode,
  type ExchangeContractSummary,
  isAnypointError,
  type ManagedContract,
  type Tier,
} from "../../client";
import { inputKeys, outputKeys, type StateOf } from "../fields";
import { apiContractFields, apiContractInputs, type ApiContractInputs } from "../inputs";
import { checkInputs, sameUuid, UNKNOWN } from "../inputs";
import type { ProviderContext } from "./context";
import { answered404, InputError, isForbidden, isNotFound, PartialCreateError } from "./errors";
import { SharedLookups } from "./sharedLookups";
import { declaredInputs, definedOnly, gone, readResult, recordedState } from "./state";

/** What the stack records for an ApiContract. */
export type ApiContractState = StateOf<typeof apiContractFields>;

const INPUT_KEYS = inputKeys(apiContractFields);
const OUTPUT_KEYS = outputKeys(apiContractFields);

type ContractFacts = Pick<ApiContractState, "status" | "tierId" | "requestedTierId">;

/** The ApiContract provider, acting through `context`'s client. */
export function makeApiContractProvider(
  context: ProviderContext,
): pulumi.dynamic.ResourceProvider<ApiContractInputs, ApiContractState> {
  return {
    check: checkInputs(apiContractInputs, OUTPUT_KEYS),

    async diff(id, olds: ApiContractState, news: ApiContractInputs) {
      context.assertSameControlPlane("ApiContract", id, olds);
      // An application id still unknown at preview belongs to an application being replaced (an
      // update keeps the id, and ClientApplication's applicationId is its id): the new id is not
      // known yet, so it shows an update here; at apply time the known id decides.
      const pending = (["applicationId", "environmentId", "apiInstanceId"] as const).some(
        (key) => news[key] === UNKNOWN,
      );
      const replaces = (["applicationId", "environmentId", "apiInstanceId"] as const).filter(
        (key) =>
          news[key] !== UNKNOWN &&
          (key === "environmentId" ? !sameUuid(news[key], olds[key]) : news[key] !== olds[key]),
      ) as string[];
      if (news.organizationId !== undefined && !sameUuid(news.organizationId, olds.apiOrganizationId)) {
        replaces.push("organizationId");
      }
      // A rejected contract cannot be restored: only a new request brings access back.
      if (olds.status === "REJECTED") replaces.push("status");
      const samePair = news.applicationId === olds.applicationId && news.apiInstanceId === olds.apiInstanceId;
      return {
        changes: pending || replaces.length > 0 || needsUpdate(olds, news),
        replaces,
        // One contract per application and API instance: the old one must go first.
        deleteBeforeReplace: replaces.length > 0 && samePair,
      };
    },

    async create(inputs) {
      const client = context.client;
      const rootOrganizationId = await context.rootOrganizationId();
      const organizationId = inputs.organizationId ?? rootOrganizationId;
      const { environmentId, apiInstanceId, applicationId } = inputs;
      const place = { organizationId, baseUrl: context.baseUrl };

      const [instance, tiers] = await instanceAndTiers(client, organizationId, environmentId, apiInstanceId);
      if (inputs.adopt) {
        const existing = (await client.listApiContracts(organizationId, environmentId, apiInstanceId)).find(
          (contract) => contract.applicationId === applicationId,
        );
        if (existing) {
          return {
            id: String(existing.id),
            outs: stateOf(inputs, place, managedFacts(existing)),
          };
        }
      }
      // Only a new request must pass the tier rules: an existing contract on a deprecated instance
      // or tier can still be adopted as it is.
      checkTierChoice(instance, tiers, inputs.tierId);

      const created = await client.createContract(rootOrganizationId, applicationId, {
        acceptedTerms: inputs.acceptedTerms ?? true,
        instanceType: "api",
        organizationId: instance.organizationId ?? organizationId,
        groupId: instance.groupId,
        assetId: instance.assetId,
        version: instance.assetVersion,
        versionGroup: instance.productVersion,
        apiId: apiInstanceId,
        environmentId,
        ...(inputs.tierId !== undefined ? { requestedTierId: inputs.tierId } : {}),
      });
      forgetApplicationContracts(client, applicationId);
      let facts: ContractFacts = {
        status: created.status,
        tierId: created.tier?.id ?? undefined,
        requestedTierId: created.requestedTier?.id ?? undefined,
      };
      if (facts.status === "PENDING" && inputs.approve) {
        try {
          facts = managedFacts(
            await client.approveContract(organizationId, environmentId, apiInstanceId, created.id),
          );
        } catch (error) {
          const properties = {
            ...stateOf(inputs, place, facts),
            // The engine's own input, which the partial state must keep (docs/pulumi.md, "The methods").
            __provider: "__provider" in inputs ? inputs.__provider : undefined,
          };
          throw new PartialCreateError(
            String(created.id),
            properties,
            error,
            `contract ${created.id} was requested but not approved`,
          );
        }
      }
      return { id: String(created.id), outs: stateOf(inputs, place, facts) };
    },

    async read(id, recorded) {
      const props = recordedState(recorded);
      const contractId = Number(id);
      // Without an organizationId input the contract's organization is the root one (see create):
      // no /accounts/api/me call on refresh.
      const rootOrganizationId =
        props.organizationId === undefined && props.apiOrganizationId
          ? props.apiOrganizationId
          : await context.rootOrganizationId(props);
      const client = context.clientFor(props);
      let summary: ExchangeContractSummary | undefined;
      try {
        summary = (await applicationContracts(client, rootOrganizationId, props.applicationId)).find(
          (c) => c.id === contractId,
        );
      } catch (error) {
        // A 404 of the application's list (the application gone, say) proves nothing of the contract.
        // A 403: another identity created the application (a read-only pipeline's connected app);
        // API Manager's read below needs only View Contracts.
        if (!answered404(error) && !isForbidden(error)) throw error;
      }
      if (summary) {
        const facts: ContractFacts = {
          status: summary.status,
          tierId: summary.tier?.id ?? undefined,
          requestedTierId: summary.requestedTier?.id ?? undefined,
        };
        return readResult(id, withFacts(props, facts, context.baseUrl), INPUT_KEYS);
      }
      // Absent from the application's list is not proof of deletion: ask for the contract itself.
      try {
        const contract = await client.getApiContract(
          props.apiOrganizationId,
          props.environmentId,
          props.apiInstanceId,
          contractId,
        );
        return readResult(id, withFacts(props, managedFacts(contract), context.baseUrl), INPUT_KEYS);
      } catch (error) {
        if (isNotFound(error)) return gone();
        throw error;
      }
    },

    async update(id, olds: ApiContractState, news: ApiContractInputs) {
      const client = context.clientFor(olds);
      const contractId = Number(id);
      const where = [olds.apiOrganizationId, olds.environmentId, olds.apiInstanceId, contractId] as const;
      let facts: ContractFacts = olds;
      if (olds.status === "REVOKED") {
        facts = managedFacts(await client.restoreContract(...where));
      }
      if (news.tierId !== undefined && news.tierId !== (facts.requestedTierId ?? facts.tierId)) {
        const [instance, tiers] = await instanceAndTiers(
          client,
          olds.apiOrganizationId,
          olds.environmentId,
          olds.apiInstanceId,
        );
        checkTierChoice(instance, tiers, news.tierId);
        if (news.approve) {
          // As the API owner: set the tier directly.
          facts = managedFacts(await client.setApiContractTier(...where, news.tierId));
        } else {
          const rootOrganizationId = await context.rootOrganizationId(olds);
          await client.changeContractTier(rootOrganizationId, olds.applicationId, contractId, news.tierId);
          facts = managedFacts(await client.getApiContract(...where));
        }
        forgetApplicationContracts(client, olds.applicationId);
      }
      if (news.approve && awaitsApproval(facts)) {
        facts = managedFacts(await client.approveContract(...where));
      }
      return { outs: withFacts({ ...olds, ...withoutUnknown(news) }, facts, context.baseUrl) };
    },

    async delete(id, props: ApiContractState) {
      const client = context.clientFor(props);
      const where = [props.apiOrganizationId, props.environmentId, props.apiInstanceId, Number(id)] as const;
      // The recorded status usually still holds: act on it (two requests). Only when the service
      // refuses, the status changed outside Pulumi: read the contract and act on what it is now.
      try {
        await retire(client, where, props.status);
      } catch (error) {
        if (!isAnypointError(error) || !STATUS_MOVED.includes(error.code)) throw error;
        let contract: ManagedContract;
        try {
          contract = await client.getApiContract(...where);
        } catch (lookup) {
          if (isNotFound(lookup)) return;
          throw lookup;
        }
        await retire(client, where, contract.status);
      }
      forgetApplicationContracts(client, props.applicationId);
    },
  };
}

/** What the service answers an action that does not fit the contract's status (or a contract that is gone). */
const STATUS_MOVED: ErrorCode[] = ["conflict", "bad_request", "unexpected_404"];

/**
 * Deletes a contract in the given status. Anypoint deletes only contracts that no longer grant
 * access: an approved one is revoked and a pending one rejected first (docs/anypoint.md section 3).
 */
async function retire(
  client: AnypointClient,
  where: readonly [string, string, number, number],
  status: string | undefined,
): Promise<void> {
  if (status === "APPROVED") await client.revokeContract(...where);
  else if (status === "PENDING") await client.rejectContract(...where);
  await client.deleteApiContract(...where);
}

function needsUpdate(olds: ApiContractState, news: ApiContractInputs): boolean {
  if (olds.status === "REVOKED") return true;
  if (news.tierId !== undefined && news.tierId !== (olds.requestedTierId ?? olds.tierId)) return true;
  return Boolean(news.approve) && awaitsApproval(olds);
}

function awaitsApproval(facts: ContractFacts): boolean {
  return (
    facts.status === "PENDING" ||
    (facts.requestedTierId !== undefined && facts.requestedTierId !== facts.tierId)
  );
}

/** Refuses a tier choice the service would refuse, before anything is written, listing what exists. */
export function checkTierChoice(instance: ApiInstance, tiers: Tier[], tierId: number | undefined): void {
  const label = `API instance ${instance.id} (${instance.assetId} ${instance.productVersion}${instance.instanceLabel ? `, "${instance.instanceLabel}"` : ""})`;
  if (instance.deprecated) {
    throw new InputError(`${label} is deprecated and takes no new contracts; choose a current instance.`);
  }
  const active = tiers.filter((tier) => tier.status !== "DEPRECATED");
  const listing = active
    .map((tier) => `${tier.id} "${tier.name}"${tier.autoApprove ? " (auto-approve)" : " (needs approval)"}`)
    .join(", ");
  if (tierId === undefined) {
    if (active.length > 0)
      throw new InputError(`${label} has SLA tiers, so tierId is required. Tiers: ${listing}.`);
    return;
  }
  const tier = tiers.find((candidate) => candidate.id === tierId);
  if (!tier) {
    throw new InputError(
      active.length > 0
        ? `tierId ${tierId} is not a tier of ${label}. Tiers: ${listing}.`
        : `tierId ${tierId} was given but ${label} has no SLA tiers; remove tierId.`,
    );
  }
  if (tier.status === "DEPRECATED") {
    throw new InputError(
      `tier ${tierId} "${tier.name}" of ${label} is deprecated and takes no new contracts. Tiers: ${listing}.`,
    );
  }
}

function managedFacts(contract: ManagedContract): ContractFacts {
  return {
    status: contract.status,
    tierId: contract.tierId ?? contract.tier?.id ?? undefined,
    requestedTierId: contract.requestedTierId ?? contract.requestedTier?.id ?? undefined,
  };
}

/**
 * The state to record: the declared inputs, the contract's facts and where it lives. Nothing
 * that can be derived: the contract id is the resource id, the application's client id is the
 * application's, and the API instance's asset coordinates are getApiInstance's (provider/inputs.ts).
 */
function stateOf(
  inputs: ApiContractInputs,
  place: { organizationId: string; baseUrl: string },
  facts: ContractFacts,
): ApiContractState {
  return definedOnly({
    ...declaredInputs(INPUT_KEYS, inputs),
    ...facts,
    apiOrganizationId: place.organizationId,
    baseUrl: place.baseUrl,
  });
}

/**
 * The recorded state with the contract's live facts; a tier the contract no longer has is dropped.
 * What else the state holds is kept, the outputs written before 0.2 among them (RETIRED_OUTPUTS).
 */
function withFacts(
  state: ApiContractState,
  facts: ContractFacts,
  configuredBaseUrl: string,
): ApiContractState {
  const { tierId: _tier, requestedTierId: _requested, ...rest } = state;
  return definedOnly({ ...rest, ...facts, baseUrl: rest.baseUrl ?? configuredBaseUrl });
}

function withoutUnknown(inputs: ApiContractInputs): Partial<ApiContractInputs> {
  return Object.fromEntries(Object.entries(inputs).filter(([, v]) => v !== UNKNOWN && v !== undefined));
}

// Creates in one run share work: each API instance and its tiers are looked up once, not once per
// contract (2N requests saved for N applications with a contract on the same instance). A provider
// process serves one run, so the answer is kept for the whole run (a 30 s lifetime made a long
// `up` ask again every 30 s).
const instances = new SharedLookups<string, [ApiInstance, Tier[]]>(Number.POSITIVE_INFINITY);

function instanceAndTiers(
  client: AnypointClient,
  organizationId: string,
  environmentId: string,
  apiInstanceId: number,
): Promise<[ApiInstance, Tier[]]> {
  return instances.get(`${client.baseUrl}/${organizationId}/${environmentId}/${apiInstanceId}`, () =>
    Promise.all([
      client.getApiInstance(organizationId, environmentId, apiInstanceId),
      client.listTiers(organizationId, environmentId, apiInstanceId),
    ]),
  );
}

// Reads in one run share work: an application's contracts are listed once for all its ApiContracts.
const applicationContractLists = new SharedLookups<string, ExchangeContractSummary[]>(30_000);

function applicationContracts(
  client: AnypointClient,
  rootOrganizationId: string,
  applicationId: number,
): Promise<ExchangeContractSummary[]> {
  return applicationContractLists.get(`${client.baseUrl}/${applicationId}`, () =>
    client.listApplicationContracts(rootOrganizationId, applicationId),
  );
}

function forgetApplicationContracts(client: AnypointClient, applicationId: number): void {
  applicationContractLists.forget(`${client.baseUrl}/${applicationId}`);
}
