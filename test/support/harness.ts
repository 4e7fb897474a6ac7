import * as path from "node:path";
import type { automation } from "@pulumi/pulumi";
import { createLocalStack, type LocalStack } from "../../cli/stack";
import { controlRequest, startEmulator } from "../../emulator";

/**
 * The default seed's ids and credentials (ARCHITECTURE.md): the one place the tests write them;
 * the other test support modules take theirs from here.
 */
export const SEED = {
  rootOrganizationId: "7f3c2a91-4d8e-4b6a-9c1f-2e5d8a7b3c10",
  sandbox: "5e1f7c2a-8b3d-4e6f-9a0b-1c2d3e4f5a61",
  production: "9d8c7b6a-5f4e-4d3c-8b2a-1f0e9d8c7b62",
  full: { clientId: "0c4e1f9a7b2d4c6e8f1a3b5c7d9e0f21", clientSecret: "A1b2C3d4E5f6A7b8C9d0E1f2A3b4C5d6" },
  readonly: {
    clientId: "1d5f2a0b8c3e4d7f9a2b4c6d8e0f1a32",
    clientSecret: "B2c3D4e5F6a7B8c9D0e1F2a3B4c5D6e7",
  },
  apis: {
    ordersSandbox: 18800101,
    paymentsSandbox: 18800102,
    customersSandbox: 18800103,
    legacySandbox: 18800104,
    ordersProduction: 18800201,
    paymentsProduction: 18800202,
    customersProduction: 18800203,
  },
  tiers: {
    ordersGold: 5100101,
    ordersSilver: 5100102,
    ordersBronzeDeprecated: 5100103,
    customersFree: 5100104,
    customersPremium: 5100105,
    ordersProductionGold: 5100201,
    ordersProductionSilver: 5100202,
  },
} as const;

export interface RequestLogEntry {
  method: string;
  path: string;
  status: number;
}

let stackCounter = 0;

export interface DeclaredSpec {
  applications?: Record<string, unknown>[];
  contracts?: Record<string, unknown>[];
}

/** An emulator on a free port plus a stack of the `declared` fixture program pointed at it. */
export class Harness {
  private constructor(
    readonly url: string,
    private readonly closeEmulator: () => Promise<void>,
    readonly local: LocalStack,
  ) {}

  static async start(
    options: { projectName?: string; emulator?: Parameters<typeof startEmulator>[0] } = {},
  ): Promise<Harness> {
    const emulator = await startEmulator({ port: 0, ...options.emulator });
    const local = await createLocalStack({
      projectName: "declared",
      // Stacks of one project share its folder: a name of its own keeps each test's Pulumi.<stack>.yaml apart.
      stackName: `t${process.pid}x${++stackCounter}`,
      workDir: path.join(__dirname, "..", "fixtures", "declared"),
      config: {
        "anypoint:baseUrl": { value: emulator.url },
        "anypoint:clientId": { value: SEED.full.clientId },
        "anypoint:clientSecret": { value: SEED.full.clientSecret, secret: true },
      },
    });
    return new Harness(emulator.url, () => emulator.close(), local);
  }

  get stack(): automation.Stack {
    return this.local.stack;
  }

  async declare(spec: DeclaredSpec): Promise<void> {
    await this.stack.setConfig("declared:spec", { value: JSON.stringify(spec) });
  }

  async useCredentials(credentials: { clientId: string; clientSecret: string }): Promise<void> {
    await this.stack.setConfig("anypoint:clientId", { value: credentials.clientId });
    await this.stack.setConfig("anypoint:clientSecret", { value: credentials.clientSecret, secret: true });
  }

  control<T = unknown>(method: string, route: string, body?: unknown): Promise<T> {
    return controlRequest<T>(this.url, method, route, body);
  }

  async requests(): Promise<RequestLogEntry[]> {
    const log = await this.control<{ requests: RequestLogEntry[] } | RequestLogEntry[]>("GET", "/requests");
    return Array.isArray(log) ? log : log.requests;
  }

  async clearRequests(): Promise<void> {
    await this.control("DELETE", "/requests");
  }

  async state(): Promise<EmulatorState> {
    return this.control<EmulatorState>("GET", "/state");
  }

  async close(): Promise<void> {
    await this.stack.workspace.removeStack(this.stack.name, { force: true }).catch(() => undefined);
    await this.local.dispose();
    await this.closeEmulator();
  }
}

export interface EmulatorState {
  applications: {
    id: number;
    name: string;
    description?: string | null;
    clientId: string;
    clientSecret: string;
  }[];
  contracts: {
    id: number;
    applicationId: number;
    apiId?: number;
    apiInstanceId?: number;
    status: string;
    tierId?: number | null;
  }[];
}

export function writes(log: RequestLogEntry[]): RequestLogEntry[] {
  return log.filter((entry) => entry.method !== "GET" && !entry.path.includes("/oauth2/token"));
}
