import { randomBytes, randomUUID } from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import { ConflictError, InvalidRequestError, NotFoundError } from "./errors";
import { parseSeed, type ScopeGrant, type Seed } from "./seed";

export interface Tier {
  id: number;
  name: string;
  description?: string;
  autoApprove: boolean;
  status: "ACTIVE" | "DEPRECATED";
  limits: { timePeriodInMilliseconds: number; maximumRequests: number }[];
}

export interface ApiInstance {
  id: number;
  organizationId: string;
  environmentId: string;
  groupId: string;
  assetId: string;
  assetVersion: string;
  productVersion: string;
  instanceLabel?: string;
  deprecated: boolean;
  tiers: Tier[];
}

export interface Application {
  id: number;
  name: string;
  description: string | null;
  url: string | null;
  redirectUri: string[];
  grantTypes: string[];
  clientId: string;
  clientSecret: string;
  masterOrganizationId: string;
  /** A connected app's client id, or `user:<username>`. */
  owner: string;
  created: string;
  updated: string;
}

export type ContractStatus = "APPROVED" | "PENDING" | "REVOKED" | "REJECTED";

export interface Contract {
  id: number;
  applicationId: number;
  apiId: number;
  status: ContractStatus;
  tierId: number | null;
  requestedTierId: number | null;
  created: string;
  updated: string;
  approvedDate: string | null;
  rejectedDate: string | null;
  revokedDate: string | null;
}

/** The fields of an application its owner sets. */
export type ApplicationFields = Pick<
  Application,
  "name" | "description" | "url" | "redirectUri" | "grantTypes" | "owner"
>;

/** What a request for access names: an API instance, and the asset and environment it belongs to. */
export interface ContractTarget {
  apiId: string | number;
  organizationId: string;
  groupId: string;
  assetId: string;
  versionGroup: string;
  environmentId?: string;
}

/** Who moves a contract to a tier: the API's provider places it, a consumer asks for it. */
export type TierChanger = "provider" | "consumer";

/** API Manager's status actions (XAPI) and the statuses each may start from (docs/anypoint.md section 3). */
const TRANSITIONS = {
  approve: { from: ["PENDING", "APPROVED"], to: "APPROVED", done: "approved" },
  reject: { from: ["PENDING"], to: "REJECTED", done: "rejected" },
  revoke: { from: ["APPROVED"], to: "REVOKED", done: "revoked" },
  restore: { from: ["REVOKED"], to: "APPROVED", done: "restored" },
} as const satisfies Record<string, { from: readonly ContractStatus[]; to: ContractStatus; done: string }>;

export type ContractAction = keyof typeof TRANSITIONS;
export const CONTRACT_ACTIONS = Object.keys(TRANSITIONS) as ContractAction[];

export interface Caller {
  /** The identity that owns what it creates: a connected app's client id, or `user:<username>`. */
  identity: string;
  kind: "client" | "user";
  clientId: string;
  username?: string;
  organizationId: string;
  scopes: ScopeGrant[];
}

export interface Token {
  value: string;
  caller: Caller;
  expiresAt: number;
}

/** The whole state, one plain object: what `GET /_emulator/state` shows and `--state` persists. */
export interface EmulatorState {
  seed: Seed;
  applications: Application[];
  contracts: Contract[];
  nextApplicationId: number;
  nextContractId: number;
}

const now = () => new Date().toISOString();
const hex = (bytes: number) => randomBytes(bytes).toString("hex");

/** 32 hex characters, mixed case, as Anypoint issues client secrets. */
export function newClientSecret(): string {
  return [...hex(16)]
    .map((char) => (/[a-f]/.test(char) && Math.random() < 0.5 ? char.toUpperCase() : char))
    .join("");
}

/**
 * The emulator's one store. Indexes are rebuilt from the plain state so the state itself stays
 * serializable; every mutation goes through here and schedules a save when persistence is on.
 */
export class Store {
  state!: EmulatorState;
  private apps = new Map<number, Application>();
  private contractsById = new Map<number, Contract>();
  readonly tokens = new Map<string, Token>();
  private saveTimer?: NodeJS.Timeout;

  constructor(
    seed: Seed,
    private readonly statePath?: string,
  ) {
    const saved =
      statePath && fs.existsSync(statePath)
        ? (JSON.parse(fs.readFileSync(statePath, "utf8")) as EmulatorState)
        : undefined;
    if (saved) this.load(saved);
    else this.reset(seed);
  }

  reset(seed: Seed): void {
    const stamp = now();
    const root = seed.organizations.find((org) => !org.parentId) ?? seed.organizations[0];
    let nextApplicationId = seed.nextApplicationId;
    let nextContractId = seed.nextContractId;
    const applications: Application[] = seed.applications.map((app) => ({
      id: app.id ?? nextApplicationId++,
      name: app.name,
      description: app.description ?? null,
      url: app.url ?? null,
      redirectUri: app.redirectUri,
      grantTypes: app.grantTypes,
      clientId: app.clientId ?? hex(16),
      clientSecret: app.clientSecret ?? newClientSecret(),
      masterOrganizationId: root.id,
      owner: app.owner,
      created: stamp,
      updated: stamp,
    }));
    const contracts: Contract[] = seed.contracts.map((contract) => ({
      id: contract.id ?? nextContractId++,
      applicationId: contract.applicationId,
      apiId: contract.apiId,
      status: contract.status,
      tierId: contract.status === "PENDING" ? null : (contract.tierId ?? null),
      requestedTierId: contract.status === "PENDING" ? (contract.tierId ?? null) : null,
      created: stamp,
      updated: stamp,
      approvedDate: contract.status === "APPROVED" ? stamp : null,
      rejectedDate: contract.status === "REJECTED" ? stamp : null,
      revokedDate: contract.status === "REVOKED" ? stamp : null,
    }));
    this.load({ seed, applications, contracts, nextApplicationId, nextContractId });
    this.tokens.clear();
  }

  private load(state: EmulatorState): void {
    this.state = { ...state, seed: parseSeed(state.seed) };
    this.apps = new Map(state.applications.map((app) => [app.id, app]));
    this.contractsById = new Map(state.contracts.map((contract) => [contract.id, contract]));
    this.changed();
  }

  get seed(): Seed {
    return this.state.seed;
  }

  rootOrganizationId(): string {
    return (this.seed.organizations.find((org) => !org.parentId) ?? this.seed.organizations[0]).id;
  }

  // ---- reads ----

  application(id: number): Application | undefined {
    return this.apps.get(id);
  }

  applications(): Application[] {
    return this.state.applications;
  }

  applicationByName(name: string): Application | undefined {
    return this.state.applications.find((app) => app.name === name);
  }

  contract(id: number): Contract | undefined {
    return this.contractsById.get(id);
  }

  contracts(): Contract[] {
    return this.state.contracts;
  }

  api(id: number): ApiInstance | undefined {
    const api = this.seed.apis.find((candidate) => candidate.id === id);
    return api && { ...api, groupId: api.groupId ?? api.organizationId };
  }

  apis(): ApiInstance[] {
    return this.seed.apis.map((api) => ({ ...api, groupId: api.groupId ?? api.organizationId }));
  }

  // ---- writes without rules: the control surface's edits "in the UI" use them directly ----

  addApplication(fields: ApplicationFields): Application {
    const stamp = now();
    const app: Application = {
      ...fields,
      id: this.state.nextApplicationId++,
      clientId: hex(16),
      clientSecret: newClientSecret(),
      masterOrganizationId: this.rootOrganizationId(),
      created: stamp,
      updated: stamp,
    };
    this.state.applications.push(app);
    this.apps.set(app.id, app);
    this.changed();
    return app;
  }

  updateApplication(app: Application, fields: Partial<Application>): Application {
    Object.assign(app, fields, { updated: now() });
    this.changed();
    return app;
  }

  deleteApplication(app: Application): void {
    this.state.applications = this.state.applications.filter((candidate) => candidate.id !== app.id);
    this.apps.delete(app.id);
    // Anypoint removes an application's contracts with it.
    for (const contract of this.state.contracts.filter((c) => c.applicationId === app.id))
      this.deleteContract(contract);
    this.changed();
  }

  addContract(
    fields: Pick<Contract, "applicationId" | "apiId" | "status" | "tierId" | "requestedTierId">,
  ): Contract {
    const stamp = now();
    const contract: Contract = {
      ...fields,
      id: this.state.nextContractId++,
      created: stamp,
      updated: stamp,
      approvedDate: fields.status === "APPROVED" ? stamp : null,
      rejectedDate: null,
      revokedDate: null,
    };
    this.state.contracts.push(contract);
    this.contractsById.set(contract.id, contract);
    this.changed();
    return contract;
  }

  updateContract(contract: Contract, fields: Partial<Contract>): Contract {
    const stamp = now();
    Object.assign(contract, fields, { updated: stamp });
    if (fields.status === "APPROVED") contract.approvedDate = stamp;
    if (fields.status === "REVOKED") contract.revokedDate = stamp;
    if (fields.status === "REJECTED") contract.rejectedDate = stamp;
    this.changed();
    return contract;
  }

  deleteContract(contract: Contract): void {
    this.state.contracts = this.state.contracts.filter((candidate) => candidate.id !== contract.id);
    this.contractsById.delete(contract.id);
    this.changed();
  }

  // ---- the API's operations: each enforces the service's rules and throws an EmulatorRuleError ----

  /** Application names are unique in the organization (docs/anypoint.md section 2). */
  createApplication(fields: ApplicationFields): Application {
    this.refuseDuplicateName(fields.name);
    return this.addApplication(fields);
  }

  /** Changes an application's own fields; a new name must still be unique. */
  changeApplication(app: Application, fields: Partial<ApplicationFields>): Application {
    if (fields.name !== undefined) this.refuseDuplicateName(fields.name, app.id);
    return this.updateApplication(app, fields);
  }

  private refuseDuplicateName(name: string, except?: number): void {
    const existing = this.applicationByName(name);
    if (existing && existing.id !== except)
      throw new ConflictError(`An application named '${name}' already exists (id ${existing.id})`);
  }

  /** The API instance a request for access names, which must be the asset and environment it names. */
  requestedInstance(target: ContractTarget): ApiInstance {
    const api = this.api(Number(target.apiId));
    if (!api) throw new NotFoundError(`API instance ${target.apiId} not found`);
    if (target.environmentId !== undefined && target.environmentId !== api.environmentId)
      throw new InvalidRequestError(`API instance ${api.id} is not in environment ${target.environmentId}`);
    if (
      target.organizationId !== api.organizationId ||
      target.assetId !== api.assetId ||
      target.groupId !== api.groupId ||
      target.versionGroup !== api.productVersion
    ) {
      throw new InvalidRequestError(
        `asset ${target.groupId}/${target.assetId} ${target.versionGroup} does not match API instance ${api.id}`,
      );
    }
    return api;
  }

  /**
   * A request for access (docs/anypoint.md section 3): a deprecated instance takes none; an
   * instance with tiers needs a usable one; one contract per application and API instance; the
   * contract is APPROVED at once without a tier or on an auto-approve tier, else PENDING.
   */
  requestContract(app: Application, api: ApiInstance, requestedTierId?: number): Contract {
    if (api.deprecated)
      throw new InvalidRequestError(`API instance ${api.id} is deprecated and takes no new contracts`);
    const tier =
      requestedTierId === undefined ? this.noTierAllowed(api) : this.usableTier(api, requestedTierId);
    if (
      this.state.contracts.some((contract) => contract.applicationId === app.id && contract.apiId === api.id)
    )
      throw new ConflictError(`application ${app.id} already has a contract with API ${api.id}`);
    const approved = !tier || tier.autoApprove;
    return this.addContract({
      applicationId: app.id,
      apiId: api.id,
      status: approved ? "APPROVED" : "PENDING",
      tierId: approved && tier ? tier.id : null,
      requestedTierId: approved ? null : tier!.id,
    });
  }

  /** A request without a tier: refused when the instance has active tiers to choose from. */
  private noTierAllowed(api: ApiInstance): undefined {
    const active = api.tiers.filter((tier) => tier.status === "ACTIVE");
    if (active.length > 0) {
      const listing = active.map((tier) => `${tier.id} ${tier.name}`).join(", ");
      throw new InvalidRequestError(
        `API instance ${api.id} has SLA tiers; requestedTierId is required (${listing})`,
      );
    }
    return undefined;
  }

  /** A tier a contract may be placed on: it exists on the instance and is not deprecated. */
  usableTier(api: ApiInstance, tierId: number): Tier {
    const tier = api.tiers.find((candidate) => candidate.id === tierId);
    if (!tier) throw new InvalidRequestError(`tier ${tierId} does not belong to API ${api.id}`);
    if (tier.status === "DEPRECATED")
      throw new InvalidRequestError(`tier ${tierId} (${tier.name}) is deprecated and takes no new contracts`);
    return tier;
  }

  /**
   * Moves a contract to a tier (docs/anypoint.md section 3): at once when the provider places it or
   * the tier auto-approves, else as a pending request (`requestedTierId`) until approved.
   */
  changeTier(contract: Contract, tierId: number, by: TierChanger): Contract {
    const tier = this.usableTier(this.api(contract.apiId)!, tierId);
    if (by === "provider" || tier.autoApprove)
      return this.updateContract(contract, { tierId: tier.id, requestedTierId: null });
    return this.updateContract(contract, { requestedTierId: tier.id });
  }

  /** API Manager's PATCH `{status:"REVOKED"}`: only an APPROVED contract can be revoked. */
  revokeContract(contract: Contract): Contract {
    if (!this.canTransition(contract, "revoke"))
      throw new ConflictError(
        `contract ${contract.id} is ${contract.status}; only an APPROVED contract can be revoked`,
      );
    return this.updateContract(contract, { status: "REVOKED" });
  }

  /** An XAPI action; approving takes up a pending tier change (docs/anypoint.md section 3). */
  transitionContract(contract: Contract, action: ContractAction): Contract {
    if (!this.canTransition(contract, action))
      throw new ConflictError(
        `contract ${contract.id} is ${contract.status}; it cannot be ${TRANSITIONS[action].done}`,
      );
    if (action !== "approve") return this.updateContract(contract, { status: TRANSITIONS[action].to });
    return this.updateContract(contract, {
      status: "APPROVED",
      tierId: contract.requestedTierId ?? contract.tierId,
      requestedTierId: null,
    });
  }

  /** An APPROVED contract is approved again only to take up a pending tier change. */
  private canTransition(contract: Contract, action: ContractAction): boolean {
    if (action === "approve" && contract.status === "APPROVED") return contract.requestedTierId !== null;
    return (TRANSITIONS[action].from as readonly ContractStatus[]).includes(contract.status);
  }

  /** As in the UI, a contract that grants access must be revoked before it is deleted (section 3). */
  deleteInactiveContract(contract: Contract): void {
    if (contract.status === "APPROVED")
      throw new ConflictError(`contract ${contract.id} is APPROVED; revoke it before deleting it`);
    this.deleteContract(contract);
  }

  issueToken(caller: Caller, ttlSeconds: number): Token {
    const token = { value: randomUUID(), caller, expiresAt: Date.now() + ttlSeconds * 1000 };
    this.tokens.set(token.value, token);
    return token;
  }

  // ---- persistence ----

  private changed(): void {
    if (!this.statePath || this.saveTimer) return;
    this.saveTimer = setTimeout(() => this.flush(), 50);
    this.saveTimer.unref();
  }

  /** Writes the state atomically: a temp file in the same folder, then a rename. */
  flush(): void {
    if (this.saveTimer) clearTimeout(this.saveTimer);
    this.saveTimer = undefined;
    if (!this.statePath) return;
    const temp = path.join(
      path.dirname(this.statePath),
      `.${path.basename(this.statePath)}.${process.pid}.tmp`,
    );
    fs.writeFileSync(temp, JSON.stringify(this.state));
    fs.renameSync(temp, this.statePath);
  }
}
