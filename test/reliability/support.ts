import type { DeclaredSpec, EmulatorState, Harness } from "../support/harness";
import { SEED } from "../support/harness";

/** `count` consumers, each an application with a contract on payments (no tiers) and orders (Silver). */
export function consumers(prefix: string, count: number, extra: Record<string, unknown> = {}): DeclaredSpec {
  return {
    applications: Array.from({ length: count }, (_, i) => ({
      key: `app${i}`,
      name: `${prefix}-${i}`,
      description: `consumer ${i}`,
      grantTypes: ["client_credentials"],
      ...extra,
    })),
    contracts: Array.from({ length: count }, (_, i) => [
      {
        key: `app${i}-payments`,
        application: `app${i}`,
        environmentId: SEED.sandbox,
        apiInstanceId: SEED.apis.paymentsSandbox,
        ...extra,
      },
      {
        key: `app${i}-orders`,
        application: `app${i}`,
        environmentId: SEED.sandbox,
        apiInstanceId: SEED.apis.ordersSandbox,
        tierId: SEED.tiers.ordersSilver,
        ...extra,
      },
    ]).flat(),
  };
}

interface ExportedResource {
  urn: string;
  type: string;
  id?: string;
  outputs?: Record<string, unknown>;
}

export interface StackContents {
  applications: { urn: string; applicationId: number; clientId: string; name: string }[];
  contracts: {
    urn: string;
    contractId: number;
    applicationId: number;
    apiInstanceId: number;
    status: string;
  }[];
  pendingOperations: unknown[];
}

/** What the stack's exported state records (secrets stay encrypted). */
export async function stackContents(harness: Harness): Promise<StackContents> {
  const exported = JSON.parse(await harness.local.exportState()) as {
    deployment: { resources?: ExportedResource[]; pending_operations?: unknown[] };
  };
  const resources = exported.deployment.resources ?? [];
  const ofType = (kind: string) =>
    resources.filter((r) => r.type === `pulumi-nodejs:dynamic/anypoint:${kind}`);
  return {
    applications: ofType("ClientApplication").map((r) => ({
      urn: r.urn,
      // The ids are the resource ids; the stack does not record them twice.
      applicationId: Number(r.id),
      clientId: String(r.outputs?.clientId),
      name: String(r.outputs?.name),
    })),
    contracts: ofType("ApiContract").map((r) => ({
      urn: r.urn,
      contractId: Number(r.id),
      applicationId: Number(r.outputs?.applicationId),
      apiInstanceId: Number(r.outputs?.apiInstanceId),
      status: String(r.outputs?.status),
    })),
    pendingOperations: exported.deployment.pending_operations ?? [],
  };
}

/** The emulator's applications named `<prefix>-<i>` and their contracts. */
export function ownedBy(state: EmulatorState, prefix: string): EmulatorState {
  const applications = state.applications.filter((app) => app.name.startsWith(`${prefix}-`));
  const ids = new Set(applications.map((app) => app.id));
  return { applications, contracts: state.contracts.filter((c) => ids.has(c.applicationId)) };
}

export function duplicates<T>(values: T[]): T[] {
  return values.filter((value, index) => values.indexOf(value) !== index);
}

/** Sorted `name/id/clientId` of applications and `appId/apiId/id/status` of contracts, for equality checks. */
export function summarize(contents: {
  applications: { id?: number; applicationId?: number; name: string; clientId: string }[];
  contracts: {
    id?: number;
    contractId?: number;
    applicationId: number;
    apiId?: number;
    apiInstanceId?: number;
    status: string;
  }[];
}): { applications: string[]; contracts: string[] } {
  return {
    applications: contents.applications
      .map((app) => `${app.name}/${app.id ?? app.applicationId}/${app.clientId}`)
      .sort(),
    contracts: contents.contracts
      .map((c) => `${c.applicationId}/${c.apiId ?? c.apiInstanceId}/${c.id ?? c.contractId}/${c.status}`)
      .sort(),
  };
}

export async function waitFor<T>(
  what: string,
  probe: () => Promise<T | undefined>,
  attempts = 600,
  intervalMs = 100,
): Promise<T> {
  for (let i = 0; i < attempts; i++) {
    const found = await probe();
    if (found !== undefined) return found;
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
  throw new Error(`gave up waiting for ${what}`);
}
