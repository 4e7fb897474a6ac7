/** Where a command writes and what it reads; tests pass their own. */
export interface CommandIo {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  cwd: string;
  env: NodeJS.ProcessEnv;
}

export function processIo(): CommandIo {
  return {
    stdout: (text) => process.stdout.write(text),
    stderr: (text) => process.stderr.write(text),
    cwd: process.cwd(),
    env: process.env,
  };
}

/** A usage error: the command prints it with its usage and exits 2. */
export class UsageError extends Error {}

export interface ParsedArgs {
  flags: Set<string>;
  values: Map<string, string[]>;
}

/**
 * Parses `--flag` and `--option VALUE` (or `--option=VALUE`); options may repeat. Anything else
 * is a usage error, so a typo never silently changes what a command does.
 */
export function parseArgs(argv: string[], spec: { flags: string[]; options: string[] }): ParsedArgs {
  const flags = new Set<string>();
  const values = new Map<string, string[]>();
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const [name, inline] = arg.includes("=")
      ? [arg.slice(0, arg.indexOf("=")), arg.slice(arg.indexOf("=") + 1)]
      : [arg, undefined];
    if (spec.flags.includes(name) && inline === undefined) {
      flags.add(name);
    } else if (spec.options.includes(name)) {
      const value = inline ?? argv[++i];
      if (value === undefined || (inline === undefined && value.startsWith("--")))
        throw new UsageError(`${name} needs a value`);
      values.set(name, [...(values.get(name) ?? []), value]);
    } else if (/^--?(client-secret|password|access-token)$/.test(name)) {
      throw new UsageError(
        `${name} is not accepted: secrets on the command line end up in shell history and process lists. ` +
          "Use ANYPOINT_CLIENT_SECRET, ANYPOINT_PASSWORD or ANYPOINT_ACCESS_TOKEN, or the stack's config",
      );
    } else {
      throw new UsageError(`unknown argument ${arg}`);
    }
  }
  return { flags, values };
}

export function single(args: ParsedArgs, name: string): string | undefined {
  const all = args.values.get(name);
  if (all && all.length > 1) throw new UsageError(`${name} may be given once`);
  return all?.[0];
}
