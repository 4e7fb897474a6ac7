import { execFile } from "node:child_process";
import * as fs from "node:fs";
import { promisify } from "node:util";
import * as os from "node:os";
import * as path from "node:path";
import type { automation } from "@pulumi/pulumi";
import { enginePath, packageRoot, pulumiBinDir } from "./pulumiCli";

const execFileAsync = promisify(execFile);

export interface LocalStackOptions {
  /** Project name; also the namespace of unqualified config keys. */
  projectName: string;
  stackName?: string;
  /** Inline program; or omit and give `workDir` holding a Pulumi.yaml. */
  program?: automation.PulumiFn;
  workDir?: string;
  /** Directory whose node_modules the program and the dynamic provider resolve from. */
  main?: string;
  /** Where the file backend, PULUMI_HOME and the passphrase live; a fresh temp dir by default. */
  stateDir?: string;
  /** `anypoint:*` and other config; values with `secret: true` are encrypted in state. */
  config?: automation.ConfigMap;
  /** Extra environment for the engine, the program and the provider. */
  env?: Record<string, string>;
}

export interface LocalStack {
  stack: automation.Stack;
  stateDir: string;
  /** The stack's state as `pulumi stack export` writes it, secrets encrypted (what sits in the backend). */
  exportState(): Promise<string>;
  /** The engine's environment (PATH, backend, passphrase), for running the CLI by hand. */
  envVars: Record<string, string>;
  /** Deletes the stack's state directory (after a destroy). */
  dispose(): Promise<void>;
}

/**
 * A stack on a local file backend with a passphrase secrets provider, run by the real Pulumi
 * engine at the pinned version. Used by the tests, the demo and the benchmark.
 */
export async function createLocalStack(options: LocalStackOptions): Promise<LocalStack> {
  const { LocalWorkspace, PulumiCommand } = (await import("@pulumi/pulumi/automation")) as typeof automation;
  const stateDir = options.stateDir ?? fs.mkdtempSync(path.join(os.tmpdir(), "pulumi-anypoint-stack-"));
  const backendDir = path.join(stateDir, "backend");
  const pulumiHome = path.join(stateDir, "home");
  fs.mkdirSync(backendDir, { recursive: true });
  fs.mkdirSync(pulumiHome, { recursive: true });
  const pulumiCommand = await PulumiCommand.get({ root: path.dirname(pulumiBinDir()) });
  const envVars: Record<string, string> = {
    PULUMI_CONFIG_PASSPHRASE: process.env.PULUMI_CONFIG_PASSPHRASE ?? "pulumi-anypoint-local",
    PULUMI_SKIP_UPDATE_CHECK: "true",
    PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION: "true",
    PULUMI_AUTOMATION_API_SKIP_VERSION_CHECK: "true",
    PULUMI_BACKEND_URL: `file://${backendDir}`,
    PATH: enginePath(),
    ...options.env,
  };
  const projectSettings: automation.ProjectSettings = {
    name: options.projectName,
    runtime: "nodejs",
    main: options.main ?? options.workDir ?? packageRoot(),
    backend: { url: `file://${backendDir}` },
  };
  const stackName = options.stackName ?? "dev";
  const stack = options.program
    ? await LocalWorkspace.createOrSelectStack(
        { stackName, projectName: options.projectName, program: options.program },
        { projectSettings, pulumiHome, envVars, pulumiCommand },
      )
    : await LocalWorkspace.createOrSelectStack(
        // A project on disk keeps its own Pulumi.yaml; the backend comes from PULUMI_BACKEND_URL.
        { stackName, workDir: options.workDir! },
        { pulumiHome, envVars, pulumiCommand },
      );
  if (options.config) await stack.setAllConfig(options.config);
  return {
    stack,
    stateDir,
    envVars,
    exportState: async () => {
      // Not stack.exportStack(): the Automation API exports with --show-secrets.
      const { stdout } = await execFileAsync(
        path.join(pulumiBinDir(), "pulumi"),
        ["stack", "export", "--stack", stackName, "--non-interactive"],
        { cwd: stack.workspace.workDir, env: { ...process.env, ...envVars }, maxBuffer: 256 * 1024 * 1024 },
      );
      return stdout;
    },
    dispose: async () => {
      if (!options.stateDir) fs.rmSync(stateDir, { recursive: true, force: true });
    },
  };
}
