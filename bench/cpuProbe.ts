/**
 * Preloaded into the engine's node processes by the provider benchmark (NODE_OPTIONS=--require):
 * writes the process's CPU time and role (the program, or the dynamic provider) as JSON to
 * $PULUMI_ANYPOINT_BENCH_CPU_LOG.<pid>. Nothing else; no effect without that variable.
 */
import * as fs from "node:fs";

const log = process.env.PULUMI_ANYPOINT_BENCH_CPU_LOG;
if (log) {
  const argv = process.argv.join(" ");
  const role = argv.includes("dynamic-provider")
    ? "provider"
    : argv.includes("cmd/run")
      ? "program"
      : "other";
  // The engine ends plugin processes with a signal, so no exit handler runs: the figure is
  // rewritten every 200 ms (and at exit), one file per process.
  const write = () => {
    const { user, system } = process.cpuUsage();
    fs.writeFileSync(
      `${log}.${process.pid}`,
      JSON.stringify({ role, pid: process.pid, cpuMs: (user + system) / 1000 }),
    );
  };
  if (role !== "other") {
    setInterval(write, 200).unref();
    process.on("exit", write);
  }
}
