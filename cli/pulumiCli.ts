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

/** The set-up script of a checkout; the published package has none. */
function checkoutSetupScript(): string | undefined {
  const script = path.join(packageRoot(), "scripts", "ensure-pulumi.sh");
  return fs.existsSync(script) ? script : undefined;
}

/** The folder of the first `pulumi` executable on PATH. */
function pulumiOnPath(searchPath: string): string | undefined {
  for (const dir of searchPath.split(path.delimiter)) {
    if (dir && isExecutable(path.join(dir, "pulumi"))) return dir;
  }
  return undefined;
}

function isExecutable(file: string): boolean {
  try {
    fs.accessSync(file, fs.constants.X_OK);
    return fs.statSync(file).isFile();
  } catch {
    return false;
  }
}

let cachedBinDir: string | undefined;

/**
 * The directory holding the `pulumi` the tools run. In order: `PULUMI_ANYPOINT_PULUMI_BIN`; in a
 * checkout of pulumi-anypoint, scripts/ensure-pulumi.sh (the version the project tests, built
 * once from the Go module proxy); else the `pulumi` on PATH, whatever its 3.x version. An
 * installed package never downloads or builds anything.
 */
export function pulumiBinDir(): string {
  if (cachedBinDir) return cachedBinDir;
  const fromEnv = process.env.PULUMI_ANYPOINT_PULUMI_BIN;
  if (fromEnv && isExecutable(path.join(fromEnv, "pulumi"))) {
    cachedBinDir = fromEnv;
    return fromEnv;
  }
  const script = checkoutSetupScript();
  if (script) {
    const output = execFileSync("bash", [script], { encoding: "utf8", stdio: ["ignore", "pipe", "inherit"] });
    const lines = output.trim().split("\n");
    cachedBinDir = lines[lines.length - 1];
  } else {
    cachedBinDir = pulumiOnPath(process.env.PATH ?? "");
    if (!cachedBinDir) {
      throw new Error(
        "the Pulumi CLI is not on PATH: install it (https://www.pulumi.com/docs/install/, any 3.x) and run again",
      );
    }
  }
  process.env.PULUMI_ANYPOINT_PULUMI_BIN = cachedBinDir;
  return cachedBinDir;
}

/**
 * PATH for the engine and the processes it starts: the Pulumi executables first, then the Node
 * that runs us, so the language host never picks an older Node than the one running the tools.
 */
export function enginePath(basePath = process.env.PATH ?? ""): string {
  return [pulumiBinDir(), path.dirname(process.execPath), basePath].join(path.delimiter);
}
