// The engine floor (bench/providerBench.ts) in plain JavaScript: `floor:count` dynamic resources
// whose provider does nothing (create returns an id, diff reports no change), one provider object
// shared by all of them, no inputs. Without TypeScript's helpers its serialized provider is the
// smallest the SDK writes: the reference for state bytes per resource.
const pulumi = require("@pulumi/pulumi");

const provider = {
  create: async () => ({ id: "floor" }),
  diff: async () => ({ changes: false }),
};

const count = new pulumi.Config("floor").requireNumber("count");
for (let i = 0; i < count; i++) {
  new pulumi.dynamic.Resource(provider, `r${i}`, {}, {}, "floor", "Noop");
}
