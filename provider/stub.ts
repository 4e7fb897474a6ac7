import * as path from "node:path";
import { createRequire } from "node:module";
import type * as pulumi from "@pulumi/pulumi";
import type { ResourceKind } from "./resourceKind";

/**
 * How a resource's provider gets into state, and how small it is.
 *
 * The SDK serializes the provider object handed to `pulumi.dynamic.Resource` into every
 * resource's state, twice (inputs and outputs, `__provider`). Its closure serializer
 * (@pulumi/pulumi runtime/closure/createClosure.js, `captureModuleAsync`) writes a value that is
 * the `module.exports` of a file under a `node_modules` directory as `require("<package
 * export>")` (about 250 characters in all), and anything else as code, by value (2 KB and more).
 * So each kind's provider object is the whole `module.exports` of its own file, `kinds/<Kind>`,
 * exported by package.json as `pulumi-anypoint/kinds/<Kind>`: state holds
 * `require("pulumi-anypoint/kinds/ClientApplication")` and nothing else, no credential, no code.
 * That export path is written into state: it must never be renamed.
 *
 * Older SDKs (3.163 to 3.250; pulumi/pulumi#23767 fixed it in 3.251) look for the package's
 * package.json at the first occurrence of its name in the file's absolute path. When the
 * project's path holds the name before `node_modules` (a folder called `pulumi-anypoint-infra`, a
 * clone of this repository), they miss it and write the file's own path,
 * `require("pulumi-anypoint/dist/provider/kinds/ClientApplication.js")`. package.json exports
 * that path too, listed before `./kinds/<Kind>` so that an SDK that finds the package still
 * writes the short name (of two exports of one file, the SDK takes the later). It is in users'
 * state as well: never remove it. CI's oldest-SDK cell runs in such a folder.
 *
 * The provider process evaluates that text with no file name, so `require` searches the
 * `node_modules` folders above its working directory (the project directory) and runs the
 * INSTALLED pulumi-anypoint: refresh and destroy of resources created by an older version run
 * today's code (docs/pulumi.md; pulumi/pulumi#6238).
 *
 * Which object the program hands to the SDK is found the same way, from the working directory's
 * `node_modules` (see `stubProvider`): the copy the provider process will load. In a user's
 * project that is the program's own pulumi-anypoint; in this checkout the demo and the test
 * fixtures import the package through its self-reference (the files of the checkout, not under
 * `node_modules`, which the SDK would serialize by value), so `npm run build` also installs the
 * build into the checkout's own node_modules/pulumi-anypoint (scripts/install-checkout.js) and
 * they take the path users get. Where the copy found is not under `node_modules` (npm link,
 * workspaces, the examples' links to this checkout) or none is found, the object is serialized by
 * value (about 2.2 KB); it then loads the implementation by package name from the working
 * directory, as `require(...)` would.
 */
export function stubProvider(kind: ResourceKind): pulumi.dynamic.ResourceProvider {
  let provider = providers.get(kind);
  if (!provider) {
    provider = installedKind(kind) ?? (LOCAL_KINDS[kind]() as pulumi.dynamic.ResourceProvider);
    providers.set(kind, provider);
  }
  return provider;
}

const providers = new Map<ResourceKind, pulumi.dynamic.ResourceProvider>();

const LOCAL_KINDS: Record<ResourceKind, () => unknown> = {
  ClientApplication: () => require("./kinds/ClientApplication"),
  ApiContract: () => require("./kinds/ApiContract"),
};

/**
 * The kind's provider object as the provider process will `require` it: resolved from the
 * `node_modules` folders above the working directory. The parent path is a file name inside
 * `<cwd>/node_modules` on purpose: Node looks for a package scope (and so for the self-reference
 * by which a checkout resolves its own name to its own files) only up to a `node_modules` folder.
 * Only a copy under `node_modules` counts (the SDK serializes anything else by value anyway).
 */
function installedKind(kind: ResourceKind): pulumi.dynamic.ResourceProvider | undefined {
  try {
    const fromProject = createRequire(path.join(process.cwd(), "node_modules", "[pulumi-anypoint]"));
    const file = fromProject.resolve(`pulumi-anypoint/kinds/${kind}`);
    if (!file.split(path.sep).includes("node_modules")) return undefined;
    return fromProject(file) as pulumi.dynamic.ResourceProvider;
  } catch {
    return undefined;
  }
}

/**
 * The provider object of one kind, the `module.exports` of `kinds/<Kind>`. Each method loads the
 * implementation from the installed package by name, when called in the provider process. When
 * the SDK serializes it by value (see above) this code is what lands in state: it must reference
 * nothing but `kind` and `require`.
 */
export function kindProvider(kind: ResourceKind): pulumi.dynamic.ResourceProvider {
  const load = (): pulumi.dynamic.ResourceProvider =>
    require("pulumi-anypoint/provider/implementation").providerFor(kind);
  return {
    configure: (req) => load().configure!(req),
    check: (olds, news) => load().check!(olds, news),
    diff: (id, olds, news) => load().diff!(id, olds, news),
    create: (inputs) => load().create(inputs),
    read: (id, props) => load().read!(id, props),
    update: (id, olds, news) => load().update!(id, olds, news),
    delete: (id, props) => load().delete!(id, props),
  };
}

/**
 * Suspends V8's stack capture for the synchronous part of a resource constructor; call the
 * returned function (in a `finally`) to restore it.
 *
 * While `pulumi.dynamic.Resource` is constructed, the SDK wraps every promise it makes in
 * `debuggablePromise` (runtime/debuggable.js), which stores `new Error().stack` on it for its
 * promise-leak report: four per declared output (runtime/rpc.js `transferProperties`) and a few
 * per resource, 50 to 70 per resource here. Reading `.stack` formats the trace eagerly, through
 * source-map-support (installed by the language host), which maps every frame through the
 * source maps: most of the program's CPU at a few hundred resources. The SDK has no option or
 * environment variable to turn it off (PULUMI_DEBUG_PROMISE_LEAKS only adds diagnostics), so
 * `Error.stackTraceLimit = 0` during `super()` makes those traces empty and cheap. Nothing else
 * changes: the source position the SDK records for the resource is taken by `Resource.callsites()`,
 * which sets its own limit (Infinity) for its one trace; the leak report, should one happen,
 * still names the promise (`transferProperty(<urn>, <key>, ...)`), only without a stack; errors
 * thrown later, from the async registration, have their usual stacks.
 */
export function pauseStackCapture(): () => void {
  const limit = Error.stackTraceLimit;
  Error.stackTraceLimit = 0;
  return () => {
    Error.stackTraceLimit = limit;
  };
}
