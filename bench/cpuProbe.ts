/**
 * Preloaded into the engine's node processes by the provider benchmark (NODE_OPTIONS=--require):
 * on exit, appends the process's CPU time and role (the program, or the dynamic provider) as a
 * JSON line to $PULUMI_ANYPOINT_BENCH_CPU_LOG. Nothing else; no effect without that variable.
 */
import * as fs from "node:fs";

const log = process.env.PULUMI_ANYPOINT_BENCH_CPU_LOG;
if (log) {
  process.on("exit", () => {
    const argv = process.argv.join(" ");
    const role = argv.includes("dynamic-provider")
      ? "provider"
      : argv.includes("cmd/run")
        ? "program"
        : "other";
    const { user, system } = process.cpuUsage();
    fs.appendFileSync(log, JSON.stringify({ role, pid: process.pid, cpuMs: (user + system) / 1000 }) + "\n");
  });
}
