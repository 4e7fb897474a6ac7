import * as fs from "node:fs";
import * as path from "node:path";
import { Writable } from "node:stream";
import { runDemo } from "../../cli/demo";
import { SEED } from "../support/harness";

// The README's main-job command, run as `./dev.sh demo` does; CI reads its output too.
describe("the guided demo", () => {
  it("creates, shows drift, puts it back and cleans up, with every secret masked", async () => {
    let output = "";
    const sink = new Writable({
      write(chunk, _encoding, done) {
        output += String(chunk);
        done();
      },
    });
    await runDemo(sink);
    process.stdout.write(output);

    expect(output).toMatch(/pulumi up: declare[\s\S]*=> 4 create/);
    expect(output).toMatch(/mobile-banking +\S+ +orders-api +Sandbox +5100101 +APPROVED/);
    expect(output).toMatch(/mobile-banking +\S+ +payments-api +Sandbox +- +APPROVED/);
    const refresh = output.slice(
      output.indexOf("pulumi refresh"),
      output.indexOf("put the declared state back"),
    );
    expect(refresh).toMatch(/=> 2 update/);
    expect(refresh).toMatch(/^ +drift: mobile-banking$/m);
    expect(refresh).toMatch(/^ +drift: mobile-banking-payments$/m);
    expect(output).toMatch(/put the declared state back[\s\S]*=> 2 update, 2 unchanged/);
    expect(output).toMatch(/pulumi destroy[\s\S]*=> 4 delete/);
    expect(output).toMatch(/against your organization/);

    expect(output).not.toContain(SEED.full.clientSecret);
    expect(output).not.toMatch(/clientSecret\s*:\s*"/);
    // Re-runnable: nothing left in the checkout.
    expect(fs.existsSync(path.join(__dirname, "..", "..", "Pulumi.demo.yaml"))).toBe(false);
  });
});
