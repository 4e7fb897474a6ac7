import type * as pulumi from "@pulumi/pulumi";
import { AnypointError, withAdvice } from "../client";
import type { StackConfig } from "./config";
import { makeApiContractProvider } from "./impl/apiContractProvider";
import { makeClientApplicationProvider } from "./impl/clientApplicationProvider";
import { ProviderContext } from "./impl/context";
import type { ResourceKind } from "./resourceKind";

/**
 * The provider process's context: one client for every resource of the run, configured by the
 * engine's `configure` call to any kind (docs/pulumi.md, "The runtime").
 */
const processContext = new ProviderContext();

const providers: Record<ResourceKind, pulumi.dynamic.ResourceProvider> = {
  ClientApplication: makeClientApplicationProvider(processContext),
  ApiContract: makeApiContractProvider(processContext),
};

const ROTATED_CREDENTIALS =
  "If the credentials in the stack config changed since the last `pulumi up`: `pulumi refresh` and " +
  "`pulumi destroy` use the provider configuration recorded then (a Pulumi engine rule), so run them " +
  "with --run-program, or run `pulumi up` first";

/** What a person can do about a client error, in Pulumi's terms (the client speaks only Anypoint's). */
function advice(kind: ResourceKind, error: AnypointError): string | undefined {
  switch (error.code) {
    case "unauthorized":
      return ROTATED_CREDENTIALS;
    case "conflict":
      return kind === "ClientApplication"
        ? "Set adopt: true on the ClientApplication to take it over, or choose another name"
        : "Set adopt: true on the ApiContract to take it over";
    case "unknown_outcome":
      return `Set adopt: true on the ${kind} to take it over if it exists (or run \`pulumi refresh\`), then run \`pulumi up\` again`;
    default:
      return undefined;
  }
}

/**
 * What reaches the user of an error thrown by a provider method. The dynamic-provider host prints
 * `${error}: ${error.stack}` for each failed resource, a trace into files that are not in the
 * package: the message is what a person needs, once, and the engine shows it again as the error.
 */
function forPerson(kind: ResourceKind, error: unknown): unknown {
  if (!(error instanceof Error)) return error;
  let shown: Error = error;
  const todo = error instanceof AnypointError ? advice(kind, error) : undefined;
  if (todo && error instanceof AnypointError) shown = withAdvice(error, todo);
  shown.stack = shown.message;
  shown.toString = () => "pulumi-anypoint";
  return shown;
}

function guarded<A extends unknown[], R>(
  kind: ResourceKind,
  method: ((...args: A) => Promise<R>) | undefined,
) {
  if (!method) return undefined;
  return async (...args: A): Promise<R> => {
    try {
      return await method(...args);
    } catch (error) {
      throw forPerson(kind, error);
    }
  };
}

/**
 * The implementation behind the serialized stub (see stub.ts), loaded by package name from the
 * installed pulumi-anypoint in the provider process.
 */
export function providerFor(kind: string): pulumi.dynamic.ResourceProvider {
  const known = kind as ResourceKind;
  const provider = providers[known];
  if (!provider)
    throw new Error(`pulumi-anypoint has no resource kind "${kind}" (state written by a newer version?)`);
  // The stub calls this for every method call: build each kind's wrapper once per process.
  let wrapped = guardedProviders.get(known);
  if (!wrapped) {
    wrapped = guard(known, provider);
    guardedProviders.set(known, wrapped);
  }
  return wrapped;
}

const guardedProviders = new Map<ResourceKind, pulumi.dynamic.ResourceProvider>();

function guard(
  known: ResourceKind,
  provider: pulumi.dynamic.ResourceProvider,
): pulumi.dynamic.ResourceProvider {
  return {
    configure: async (req: { config: StackConfig }) => processContext.configure(req.config),
    check: guarded(known, provider.check),
    diff: guarded(known, provider.diff),
    create: guarded(known, provider.create)!,
    read: guarded(known, provider.read),
    update: guarded(known, provider.update),
    delete: guarded(known, provider.delete),
  };
}
