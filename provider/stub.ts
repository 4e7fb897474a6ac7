import type * as pulumi from "@pulumi/pulumi";

export type ResourceKind = "ClientApplication" | "ApiContract";

/**
 * The provider object that Pulumi serializes into every resource's state.
 *
 * It holds nothing but the resource kind: each method loads the implementation from the
 * installed package by name, so `refresh` and `destroy` of resources created by an older
 * pulumi-anypoint run today's code (PULUMI.md; pulumi/pulumi#6238), and no credential or
 * heavy module is ever captured into state.
 */
export function stubProvider(kind: ResourceKind): pulumi.dynamic.ResourceProvider {
  // The SDK serializes a provider once per object: one object per kind keeps that to two per run
  // instead of one per resource (the no-op up at 300 resources spent most of its time here).
  let provider = stubs.get(kind);
  if (!provider) {
    provider = makeStub(kind);
    stubs.set(kind, provider);
  }
  return provider;
}

const stubs = new Map<ResourceKind, pulumi.dynamic.ResourceProvider>();

/** Serialized as code into state: it must reference nothing outside itself. */
function makeStub(kind: ResourceKind): pulumi.dynamic.ResourceProvider {
  const load = (): pulumi.dynamic.ResourceProvider => {
    let implementation: { providerFor(kind: string): pulumi.dynamic.ResourceProvider };
    try {
      implementation = require("pulumi-anypoint/provider/implementation");
    } catch (notInstalled) {
      // A program inside a checkout of pulumi-anypoint itself (its demo and tests) finds the
      // package by walking up from the program's directory.
      const fs = require("node:fs");
      const path = require("node:path");
      let dir: string = process.cwd();
      for (;;) {
        const manifest = path.join(dir, "package.json");
        if (
          fs.existsSync(manifest) &&
          JSON.parse(fs.readFileSync(manifest, "utf8")).name === "pulumi-anypoint"
        ) {
          implementation = require(path.join(dir, "dist", "provider", "implementation.js"));
          break;
        }
        if (path.dirname(dir) === dir) throw notInstalled;
        dir = path.dirname(dir);
      }
    }
    return implementation.providerFor(kind);
  };
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
