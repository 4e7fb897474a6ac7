// The engine floor (bench/providerBench.ts): `floor:count` dynamic resources whose provider does
// nothing (create returns an id, diff reports no change), one provider object shared by all of
// them, no inputs. What any dynamic resource costs the same CLI, SDK and backend.
import * as pulumi from "@pulumi/pulumi";

const provider: pulumi.dynamic.ResourceProvider = {
  async create() {
    return { id: "floor" };
  },
  async diff() {
    return { changes: false };
  },
};

class Noop extends pulumi.dynamic.Resource {
  constructor(name: string) {
    super(provider, name, {}, {}, "floor", "Noop");
  }
}

const count = new pulumi.Config("floor").requireNumber("count");
for (let i = 0; i < count; i++) new Noop(`r${i}`);
