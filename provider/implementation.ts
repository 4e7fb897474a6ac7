import type * as pulumi from "@pulumi/pulumi";
import { apiContractProvider } from "./impl/apiContractProvider";
import { clientApplicationProvider } from "./impl/clientApplicationProvider";
import { context, type StackConfig } from "./impl/context";
import type { ResourceKind } from "./stub";

const providers: Record<ResourceKind, pulumi.dynamic.ResourceProvider> = {
  ClientApplication: clientApplicationProvider,
  ApiContract: apiContractProvider,
};

/**
 * The implementation behind the serialized stub (see stub.ts), loaded by package name from the
 * installed pulumi-anypoint in the provider process.
 */
export function providerFor(kind: string): pulumi.dynamic.ResourceProvider {
  const provider = providers[kind as ResourceKind];
  if (!provider)
    throw new Error(`pulumi-anypoint has no resource kind "${kind}" (state written by a newer version?)`);
  return {
    ...provider,
    configure: async (req: { config: StackConfig }) => context.configure(req.config),
  };
}
