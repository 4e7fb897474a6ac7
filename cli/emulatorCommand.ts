import { DEMO_CREDENTIALS, loadSeedFile, startEmulator } from "../emulator";

function option(argv: string[], name: string): string | undefined {
  const index = argv.indexOf(name);
  if (index < 0) return undefined;
  const value = argv[index + 1];
  if (value === undefined || value.startsWith("--")) throw new Error(`${name} needs a value`);
  return value;
}

/** `pulumi-anypoint emulator [--port N] [--seed FILE] [--state FILE] [--latency MS]` */
export async function runEmulatorCommand(argv: string[]): Promise<void> {
  const known = new Set(["--port", "--seed", "--state", "--latency", "--token-ttl"]);
  for (const arg of argv)
    if (arg.startsWith("--") && !known.has(arg)) throw new Error(`unknown option ${arg}`);
  const port = Number(option(argv, "--port") ?? 8081);
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    throw new Error("--port must be a port number (0 picks a free one)");
  const seedFile = option(argv, "--seed");
  const emulator = await startEmulator({
    port,
    seed: seedFile ? loadSeedFile(seedFile) : undefined,
    statePath: option(argv, "--state"),
    latencyMs: Number(option(argv, "--latency") ?? 0),
    tokenTtlSeconds: Number(option(argv, "--token-ttl") ?? 3600),
  });
  process.stdout.write(`Anypoint emulator listening on ${emulator.url}\n`);
  if (!seedFile) {
    process.stdout.write(
      [
        "Demo credentials (default seed):",
        `  anypoint:baseUrl        ${emulator.url}`,
        `  anypoint:clientId       ${DEMO_CREDENTIALS.clientId}`,
        `  anypoint:clientSecret   ${DEMO_CREDENTIALS.clientSecret}   (emulator only)`,
        `  root organization       ${DEMO_CREDENTIALS.organizationId}`,
        `  Sandbox environment     ${DEMO_CREDENTIALS.sandboxEnvironmentId}`,
        `  Production environment  ${DEMO_CREDENTIALS.productionEnvironmentId}`,
        "Control surface: /_emulator/state, /_emulator/reset, /_emulator/faults, /_emulator/requests",
        "",
      ].join("\n"),
    );
  }
  await new Promise<void>((resolve) => {
    const stop = () => resolve();
    process.once("SIGINT", stop);
    process.once("SIGTERM", stop);
  });
  await emulator.close();
}
