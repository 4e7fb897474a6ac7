import * as pulumi from "@pulumi/pulumi";
import { createLocalStack, LocalStack } from "../../cli/stack";

// A trivial dynamic provider: proves the engine, the language host, the dynamic-provider shim and
// Node 24 work together before any Anypoint code is involved.
const counterProvider: pulumi.dynamic.ResourceProvider = {
  async create(inputs) {
    return { id: `counter-${inputs.start}`, outs: { ...inputs, value: inputs.start } };
  },
  async read(id, props) {
    return { id, props };
  },
  async diff(_id, olds, news) {
    return { changes: olds.start !== news.start };
  },
};

class Counter extends pulumi.dynamic.Resource {
  declare public readonly value: pulumi.Output<number>;
  constructor(name: string, start: number) {
    super(counterProvider, name, { start, value: undefined }, {}, "smoke", "Counter");
  }
}

const SECRET = "smoke-secret-value-4f7a9c";

describe("the Pulumi engine", () => {
  let local: LocalStack;

  beforeAll(async () => {
    local = await createLocalStack({
      projectName: "smoke",
      program: async () => {
        const config = new pulumi.Config();
        const token = config.requireSecret("token");
        const counter = new Counter("counter", 3);
        return { value: counter.value, tokenLength: token.apply((t) => t.length) };
      },
      config: { "smoke:token": { value: SECRET, secret: true } },
    });
  });

  afterAll(async () => {
    await local?.dispose();
  });

  it("runs up, a no-op up, refresh and destroy on Node >= 22 through the real CLI", async () => {
    expect(Number(process.versions.node.split(".")[0])).toBeGreaterThanOrEqual(22);

    const first = await local.stack.up();
    expect(first.summary.result).toBe("succeeded");
    expect(first.summary.resourceChanges).toMatchObject({ create: 2 });
    expect(first.outputs.value.value).toBe(3);

    const second = await local.stack.up();
    expect(second.summary.resourceChanges).toEqual({ same: 2 });

    const refresh = await local.stack.refresh();
    expect(refresh.summary.result).toBe("succeeded");

    const state = await local.exportState();
    expect(state).toContain("pulumi-nodejs:dynamic/smoke:Counter");
    expect(state).toContain("__provider");
    expect(state).not.toContain(SECRET);

    const destroy = await local.stack.destroy();
    expect(destroy.summary.resourceChanges).toMatchObject({ delete: 2 });
  });
});
