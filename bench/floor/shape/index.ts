// The shape floor (bench/providerBench.ts): the engine floor's do-nothing provider, but each
// resource records what pulumi-anypoint's resources record: `floor:count` / 3 applications and
// twice as many contracts, with the same inputs, the same outputs (the client secret a Pulumi
// secret) and the same dependencies (each contract takes its application's id). The provider
// over this floor is what the provider itself costs; this floor over the plain one is what the
// engine spends on the state a resource of this shape carries.
import * as pulumi from "@pulumi/pulumi";

const ENVIRONMENT = "5e1f7c2a-8b3d-4e6f-9a0b-1c2d3e4f5a61";
// Installed by the benchmark from ./provider.js (see there).
const provider: pulumi.dynamic.ResourceProvider = require("floor-shape");

class Application extends pulumi.dynamic.Resource {
  // Derived from the id, as ClientApplication's (not recorded).
  public readonly applicationId: pulumi.Output<number>;
  constructor(name: string) {
    super(
      provider,
      name,
      { name, clientSecret: undefined },
      { additionalSecretOutputs: ["clientSecret"] },
      "floor",
      "Application",
    );
    this.applicationId = this.id.apply(Number);
  }
}

class Contract extends pulumi.dynamic.Resource {
  constructor(name: string, applicationId: pulumi.Input<number>, tierId?: number) {
    const args = { applicationId, environmentId: ENVIRONMENT, apiInstanceId: 18800101 };
    super(provider, name, tierId ? { ...args, tierId } : args, {}, "floor", "Contract");
  }
}

const applications = Math.floor(new pulumi.Config("floor").requireNumber("count") / 3);
for (let i = 0; i < applications; i++) {
  const application = new Application(`a${i}`);
  new Contract(`a${i}p`, application.applicationId);
  new Contract(`a${i}o`, application.applicationId, 5100102);
}
