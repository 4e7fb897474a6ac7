import { randomBytes, randomUUID } from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
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

  // ---- writes ----

  addApplication(
    fields: Pick<Application, "name" | "description" | "url" | "redirectUri" | "grantTypes" | "owner">,
  ): Application {
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
