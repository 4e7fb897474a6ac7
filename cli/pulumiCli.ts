import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";

/** The folder that holds pulumi-anypoint's package.json (works from the sources and from dist/). */
export function packageRoot(): string {
  let dir = __dirname;
  for (;;) {
    const manifest = path.join(dir, "package.json");
    if (fs.existsSync(manifest) && JSON.parse(fs.readFileSync(manifest, "utf8")).name === "pulumi-anypoint") {
      return dir;
    }
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error(`pulumi-anypoint's package.json not found above ${__dirname}`);
    dir = parent;
  }
}

let cachedBinDir: string | undefined;

/**
 * The directory holding `pulumi`, `pulumi-language-nodejs` and `pulumi-resource-pulumi-nodejs`
 * at the version of the pinned @pulumi/pulumi. The one place that finds the CLI: it runs
 * scripts/ensure-pulumi.sh, which uses PATH, the per-user cache, the official installer or a
 * build from the Go module proxy, and answers in well under a second once installed.
 */
export function pulumiBinDir(): string {
  if (cachedBinDir) return cachedBinDir;
  const fromEnv = process.env.PULUMI_ANYPOINT_PULUMI_BIN;
  if (fromEnv && fs.existsSync(path.join(fromEnv, "pulumi"))) {
    cachedBinDir = fromEnv;
    return fromEnv;
  }
  const script = path.join(packageRoot(), "scripts", "ensure-pulumi.sh");
  const output = execFileSync("bash", [script], { encoding: "utf8", stdio: ["ignore", "pipe", "inherit"] });
  const lines = output.trim().split("\n");
  cachedBinDir = lines[lines.length - 1];
  process.env.PULUMI_ANYPOINT_PULUMI_BIN = cachedBinDir;
  return cachedBinDir;
}

/**
 * PATH for the engine and the processes it starts: the Pulumi executables first, then the Node
 * that runs us (Node 24 from the `node` dev dependency), so the language host never picks an
 * older system Node.
 */
export function enginePath(basePath = process.env.PATH ?? ""): string {
  return [pulumiBinDir(), path.dirname(process.execPath), basePath].join(path.delimiter);
}
