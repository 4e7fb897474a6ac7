import * as fs from "node:fs";
import * as path from "node:path";
import type { automation } from "@pulumi/pulumi";
import { createLocalStack, type LocalStack } from "../../cli/stack";
import { controlRequest } from "../../emulator";
import { SEED, type EmulatorState } from "../support/harness";

export const REPO_ROOT = path.resolve(__dirname, "..", "..");
export const EXAMPLES_DIR = path.join(REPO_ROOT, "examples");

/** Every example folder (each is a complete Pulumi project with a package.json). */
export function exampleNames(): string[] {
  return fs
    .readdirSync(EXAMPLES_DIR, { withFileTypes: true })
    .filter(
      (entry) => entry.isDirectory() && fs.existsSync(path.join(EXAMPLES_DIR, entry.name, "package.json")),
    )
    .map((entry) => entry.name)
    .sort();
}

export function exampleDir(name: string): string {
  return path.join(EXAMPLES_DIR, name);
}

/**
 * Gives an example the node_modules a user's `npm install` would, without the network:
 * `pulumi-anypoint` links to this checkout (its package.json exports point into dist/), every
 * other dependency to the checkout's own copy, so the program, the provider process and tsc all
 * see one @pulumi/pulumi. The links are git-ignored (examples/**\/node_modules/).
 */
export function linkDependencies(name: string): string {
  const dir = exampleDir(name);
  const manifest = JSON.parse(fs.readFileSync(path.join(dir, "package.json"), "utf8")) as {
    dependencies?: Record<string, string>;
    devDependencies?: Record<string, string>;
  };
  const names = Object.keys({ ...manifest.dependencies, ...manifest.devDependencies });
  for (const dependency of names) {
    const target =
      dependency === "pulumi-anypoint" ? REPO_ROOT : path.join(REPO_ROOT, "node_modules", dependency);
    if (!fs.existsSync(target)) {
      throw new Error(
        `examples/${name} depends on ${dependency}, which this checkout does not have at ${target}`,
      );
    }
    const link = path.join(dir, "node_modules", dependency);
    fs.mkdirSync(path.dirname(link), { recursive: true });
    if (isLinkTo(link, target)) continue;
    if (fs.existsSync(link) && !fs.lstatSync(link).isSymbolicLink()) {
      throw new Error(
        `${link} is an installed package; remove examples/${name}/node_modules to test against this checkout`,
      );
    }
    // Link under a temporary name, then rename: test files running at once may link the same example.
    const temporary = `${link}.${process.pid}.${Date.now()}.tmp`;
    fs.symlinkSync(target, temporary, "dir");
    fs.renameSync(temporary, link);
  }
  return dir;
}

function isLinkTo(link: string, target: string): boolean {
  try {
    return fs.readlinkSync(link) === target;
  } catch {
    return false;
  }
}

let stackCounter = 0;

/**
 * A stack of an example project, run from the example's own folder by the real engine, with the
 * emulator's demo credentials. Its Pulumi.<stack>.yaml is written into the example folder and
 * removed again by `remove()`.
 */
export async function exampleStack(
  name: string,
  emulatorUrl: string,
  config: automation.ConfigMap = {},
): Promise<ExampleStack> {
  const workDir = linkDependencies(name);
  const local = await createLocalStack({
    projectName: projectName(name),
    stackName: `test-${process.pid}-${++stackCounter}`,
    workDir,
    // typecheck.test.ts type-checks every example; here ts-node only transpiles, to save time.
    env: { PULUMI_NODEJS_TRANSPILE_ONLY: "true" },
    config: {
      "anypoint:baseUrl": { value: emulatorUrl },
      "anypoint:clientId": { value: SEED.full.clientId },
      "anypoint:clientSecret": { value: SEED.full.clientSecret, secret: true },
      ...config,
    },
  });
  return {
    ...local,
    workDir,
    // What a user's shell would need to run the CLI on this stack by hand.
    cliEnv: {
      ...(process.env as Record<string, string>),
      ...local.envVars,
      PULUMI_HOME: path.join(local.stateDir, "home"),
    },
    remove: async () => {
      await local.stack.workspace.removeStack(local.stack.name, { force: true }).catch(() => undefined);
      fs.rmSync(path.join(workDir, `Pulumi.${local.stack.name}.yaml`), { force: true });
      await local.dispose();
    },
  };
}

export interface ExampleStack extends LocalStack {
  workDir: string;
  cliEnv: Record<string, string>;
  remove(): Promise<void>;
}

/** The project name in an example's Pulumi.yaml (the namespace of its config keys). */
export function projectName(name: string): string {
  const text = fs.readFileSync(path.join(exampleDir(name), "Pulumi.yaml"), "utf8");
  const match = /^name:\s*(\S+)/m.exec(text);
  if (!match) throw new Error(`examples/${name}/Pulumi.yaml has no name`);
  return match[1];
}

/** The emulator's state through its control surface. */
export async function emulatorState(url: string): Promise<EmulatorState> {
  return control<EmulatorState>(url, "GET", "/state");
}

export function control<T = unknown>(url: string, method: string, route: string, body?: unknown): Promise<T> {
  return controlRequest<T>(url, method, route, body);
}
