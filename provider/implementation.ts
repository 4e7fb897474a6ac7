import type * as pulumi from "@pulumi/pulumi";
import { AnypointError } from "../client";
import { apiContractProvider } from "./impl/apiContractProvider";
import { clientApplicationProvider } from "./impl/clientApplicationProvider";
import { context, type StackConfig } from "./impl/context";
import type { ResourceKind } from "./stub";

const providers: Record<ResourceKind, pulumi.dynamic.ResourceProvider> = {
  ClientApplication: clientApplicationProvider,
  ApiContract: apiContractProvider,
};

const ROTATED_CREDENTIALS =
  "If the credentials in the stack config changed since the last `pulumi up`: `pulumi refresh` and " +
  "`pulumi destroy` use the provider configuration recorded then (a Pulumi engine rule), so run them " +
  "with --run-program, or run `pulumi up` first.";

/**
 * What reaches the user of an error thrown by a provider method. The dynamic-provider host prints
 * `${error}: ${error.stack}` for each failed resource, a trace into files that are not in the
 * package: the message is what a person needs, once, and the engine shows it again as the error.
 * Refused credentials get the one reason that is not visible from the stack config: refresh and
 * destroy do not read it.
 */
function forPerson(error: unknown): unknown {
  if (!(error instanceof Error)) return error;
  if (error instanceof AnypointError && error.code === "unauthorized" && !error.message.includes("--run-program")) {
    error.message = `${error.message} ${ROTATED_CREDENTIALS}`;
  }
  error.stack = error.message;
  error.toString = () => "pulumi-anypoint";
  return error;
}

function guarded<A extends unknown[], R>(method: ((...args: A) => Promise<R>) | undefined) {
  if (!method) return undefined;
  return async (...args: A): Promise<R> => {
    try {
      return await method(...args);
    } catch (error) {
      throw forPerson(error);
    }
  };
}

/**
 * The implementation behind the serialized stub (see stub.ts), loaded by package name from the
 * installed pulumi-anypoint in the provider process.
 */
export function providerFor(kind: string): pulumi.dynamic.ResourceProvider {
  const provider = providers[kind as ResourceKind];
  if (!provider)
    throw new Error(`pulumi-anypoint has no resource kind "${kind}" (state written by a newer version?)`);
  return {
    configure: async (req: { config: StackConfig }) => context.configure(req.config),
    check: guarded(provider.check),
    diff: guarded(provider.diff),
    create: guarded(provider.create)!,
    read: guarded(provider.read),
    update: guarded(provider.update),
    delete: guarded(provider.delete),
  };
}
