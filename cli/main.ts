#!/usr/bin/env node
/**
 * pulumi-anypoint: the command-line tools that come with the provider.
 *   emulator   run the local Anypoint emulator
 *   demo       the guided demo (emulator + pulumi up / refresh / up / destroy)
 *   doctor     check that the configured credentials have every scope the provider needs
 *   discover   write a Pulumi program that adopts existing applications and contracts
 */
import { messageOf } from "../client/errors";

const USAGE = `usage: pulumi-anypoint <command> [options]

commands:
  emulator [--port N] [--seed FILE] [--state FILE] [--latency MS]
                 run the local Anypoint emulator
  demo           the guided demo on the embedded emulator
  doctor [--json] [--environment ID ...]
                 check the configured credentials against every call the provider makes
  discover [--name PATTERN] [--environment ID ...] [--out FILE]
                 write a Pulumi program that adopts existing applications and contracts
`;

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  switch (command) {
    case "emulator": {
      const { runEmulatorCommand } = await import("./emulatorCommand");
      await runEmulatorCommand(rest);
      return 0;
    }
    case "demo": {
      const { runDemo } = await import("./demo");
      await runDemo();
      return 0;
    }
    case "doctor": {
      const { runDoctorCommand } = await import("./doctor");
      return runDoctorCommand(rest);
    }
    case "discover": {
      const { runDiscoverCommand } = await import("./discover");
      return runDiscoverCommand(rest);
    }
    case undefined:
    case "help":
    case "--help":
    case "-h":
      process.stdout.write(USAGE);
      return command === undefined ? 2 : 0;
    default:
      process.stderr.write(`pulumi-anypoint: unknown command "${command}"\n\n${USAGE}`);
      return 2;
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(`pulumi-anypoint: ${messageOf(error)}\n`);
    process.exitCode = 1;
  },
);
