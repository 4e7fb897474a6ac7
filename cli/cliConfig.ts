import { execFile } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { promisify } from "node:util";
import { type ClientConfig, type ClientOptions, resolveClientConfig } from "../client";
import { messageOf } from "../client/errors";
import { CONFIG_KEYS, ENVIRONMENT, optionsFromConfig } from "../provider/config";
import { type CommandIo, type ParsedArgs, single } from "./args";
import { enginePath, pulumiBinDir } from "./pulumiCli";

const execFileAsync = promisify(execFile);

/** The options every command that talks to Anypoint accepts (secrets only from the environment or the stack). */
export const CONNECTION_OPTIONS = ["--base-url", "--client-id", "--organization-id", "--stack"];

export interface CliConfig {
  config: ClientConfig;
  /** Where the settings came from, for a person: never a value. */
  source: string;
}

/**
 * The configuration the provider would use: the selected stack's `anypoint:*` config when the
 * current directory is a Pulumi project, else the ANYPOINT_* environment variables; flags
 * override either. Stack config is read with the Pulumi CLI (`pulumi config --json
 * --show-secrets`), so secrets are decrypted in this process only and never printed.
 */
export async function resolveCliConfig(args: ParsedArgs, io: CommandIo): Promise<CliConfig> {
  const sources: string[] = [];
  let stackOptions: ClientOptions = {};
  const stackName = single(args, "--stack");
  const inProject = ["Pulumi.yaml", "Pulumi.yml"].some((file) => fs.existsSync(path.join(io.cwd, file)));
  if (inProject || stackName) {
    const stack = await readStackConfig(io, stackName);
    if (stack.values) {
      stackOptions = optionsFromConfig({ get: (key) => stack.values![key] });
      const keys = Object.values(CONFIG_KEYS).filter((key) => stack.values![key] !== undefined);
      sources.push(
        `stack ${stack.name ?? "(selected)"} config${keys.length > 0 ? ` (${keys.join(", ")})` : " (no anypoint:* keys)"}`,
      );
    } else {
      if (stackName) throw new Error(`cannot read the config of stack ${stackName}: ${stack.reason}`);
      io.stderr(`note: not using stack config (${stack.reason}); using environment variables\n`);
    }
  }
  const flagOptions: ClientOptions = {};
  const baseUrl = single(args, "--base-url");
  const clientId = single(args, "--client-id");
  const organizationId = single(args, "--organization-id");
  if (baseUrl) flagOptions.baseUrl = baseUrl;
  if (clientId) flagOptions.clientId = clientId;
  if (organizationId) flagOptions.organizationId = organizationId;
  if (Object.keys(flagOptions).length > 0) sources.unshift(`flags (${Object.keys(flagOptions).join(", ")})`);
  const envUsed = Object.values(ENVIRONMENT).filter((name) => io.env[name]);
  if (envUsed.length > 0) sources.push(`environment (${envUsed.join(", ")})`);
  const config = resolveClientConfig({ ...stackOptions, ...flagOptions }, io.env);
  return { config, source: sources.join(", then ") || "defaults" };
}

interface StackConfigResult {
  name?: string;
  values?: Record<string, string>;
  reason?: string;
}

async function readStackConfig(io: CommandIo, stackName: string | undefined): Promise<StackConfigResult> {
  let pulumi: string;
  try {
    pulumi = path.join(pulumiBinDir(), "pulumi");
  } catch (error) {
    return {
      reason: `the Pulumi CLI was not found: ${messageOf(error)}`,
    };
  }
  const env = { ...io.env, PATH: enginePath(io.env.PATH ?? "") };
  const stackArgs = stackName ? ["--stack", stackName] : [];
  try {
    const { stdout } = await execFileAsync(
      pulumi,
      ["config", "--json", "--show-secrets", "--non-interactive", ...stackArgs],
      { cwd: io.cwd, env, maxBuffer: 16 * 1024 * 1024 },
    );
    const parsed = JSON.parse(stdout) as Record<string, { value?: unknown }>;
    const values: Record<string, string> = {};
    for (const [key, entry] of Object.entries(parsed)) {
      if (entry && entry.value !== undefined && entry.value !== null) values[key] = String(entry.value);
    }
    let name = stackName;
    if (!name) {
      const shown = await execFileAsync(pulumi, ["stack", "--show-name", "--non-interactive"], {
        cwd: io.cwd,
        env,
      }).catch(() => undefined);
      name = shown?.stdout.trim() || undefined;
    }
    return { name, values };
  } catch (error) {
    const stderr = (error as { stderr?: string }).stderr ?? "";
    const line = stderr.split("\n").find((text) => /error/i.test(text)) ?? stderr.split("\n")[0] ?? "";
    return { reason: line.replace(/^error:\s*/i, "").trim() || "pulumi config failed" };
  }
}
