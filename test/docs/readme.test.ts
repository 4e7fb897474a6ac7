import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { CONFIG_KEYS } from "../../provider/config";

const root = path.join(__dirname, "..", "..");
const readme = fs.readFileSync(path.join(root, "README.md"), "utf8");

describe("the README", () => {
  it("opens with the two commands, and .ci/run calls the test one", () => {
    const firstScreen = readme.split("\n").slice(0, 15).join("\n");
    expect(firstScreen).toContain("./dev.sh demo");
    expect(firstScreen).toContain("./dev.sh test");
    const ci = fs.readFileSync(path.join(root, ".ci", "run"), "utf8");
    // The first cell of the matrix is exactly the README's command, with no arguments.
    expect(ci).toMatch(/^cell "[^"]+" \.\/dev\.sh test$/m);
  });

  it("documents only dev.sh commands that exist", () => {
    const run = spawnSync("bash", [path.join(root, "dev.sh"), "no-such-command"], { encoding: "utf8" });
    expect(run.status).toBe(2);
    const usage = run.stderr.split("\n").find((line) => line.includes("usage:")) ?? "";
    for (const [, command] of readme.matchAll(/\.\/dev\.sh (\w+)/g)) {
      expect(usage).toContain(command);
    }
  });

  it("names exactly the stack config keys the provider reads", () => {
    const documented = new Set(readme.match(/anypoint:[a-zA-Z]+/g));
    documented.delete("anypoint:ClientApplication");
    documented.delete("anypoint:ApiContract");
    expect([...documented].sort()).toEqual(Object.values(CONFIG_KEYS).sort());
  });

  it("names environment variables the client reads", () => {
    const client = fs
      .readdirSync(path.join(root, "client"))
      .map((file) => fs.readFileSync(path.join(root, "client", file), "utf8"))
      .join("\n");
    for (const variable of new Set(readme.match(/\bANYPOINT_[A-Z_]+/g))) {
      expect(client).toContain(variable);
    }
  });

  it("lists pulumi-anypoint commands that the bin knows", () => {
    const main = fs.readFileSync(path.join(root, "cli", "main.ts"), "utf8");
    for (const [, command] of readme.matchAll(/pulumi-anypoint (\w+)/g)) {
      if (command === "doctor" || command === "discover" || command === "emulator" || command === "demo") {
        expect(main).toContain(`case "${command}"`);
      } else {
        throw new Error(`README mentions unknown command pulumi-anypoint ${command}`);
      }
    }
  });

  it("never shows a secret value on a `pulumi config set --secret` command line, in any README", () => {
    const readmes = [
      "README.md",
      ...fs.readdirSync(path.join(root, "examples")).map((dir) => `examples/${dir}/README.md`),
    ]
      .concat("examples/README.md")
      .filter((file) => fs.existsSync(path.join(root, file)));
    expect(readmes.length).toBeGreaterThan(5);
    const offending = readmes.flatMap((file) =>
      fs
        .readFileSync(path.join(root, file), "utf8")
        .split("\n")
        .filter(secretOnCommandLine)
        .map((line) => `${file}: ${line.trim()}`),
    );
    expect(offending).toEqual([]);
  });

  it("links only files that exist", () => {
    for (const [, target] of readme.matchAll(/\]\(([^)#:]+)\)/g)) {
      expect(fs.existsSync(path.join(root, target))).toBe(true);
    }
  });
});

/**
 * A `config set --secret` whose value is on the command line (and so in the shell's history). The
 * prompt form (no value) and the stdin forms (`< file`, `... | pulumi config set`) are fine.
 */
function secretOnCommandLine(line: string): boolean {
  const command = /pulumi\s+config\s+set\s(.*)$/.exec(line)?.[1];
  if (command === undefined || !/(^|\s)--secret\b/.test(command)) return false;
  const args = command
    .split(/\s<\s|\s\||\s#|`/)[0]
    .replace(/(^|\s)(--stack|-s|--config-file|--cwd|-C)(\s+|=)\S+/g, " ")
    .split(/\s+/)
    .filter((word) => word !== "" && !word.startsWith("-"));
  return args.length > 1;
}
