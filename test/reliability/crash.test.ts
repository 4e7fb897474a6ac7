import { execFile, spawn } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { promisify } from "node:util";
import { Harness } from "../support/harness";
import { consumers, duplicates, ownedBy, stackContents, summarize, waitFor } from "./support";

const execFileAsync = promisify(execFile);
jest.setTimeout(10 * 60_000);

const COUNT = 60;

// `pulumi up` killed with SIGKILL (an OOM kill, a cancelled CI runner) in the middle of creating
// resources, then the recovery README's "After a crash" documents.
describe("recovery after pulumi up is killed mid-run", () => {
  let harness: Harness;
  let env: NodeJS.ProcessEnv;
  const pulumi = async (...args: string[]) =>
    execFileAsync("pulumi", [...args, "--stack", harness.stack.name, "--non-interactive"], {
      cwd: harness.stack.workspace.workDir,
      env,
      maxBuffer: 64 * 1024 * 1024,
    });

  beforeAll(async () => {
    // Slow answers keep the run busy long enough to be killed half-way.
    harness = await Harness.start({ emulator: { latencyMs: 150 } });
    env = {
      ...process.env,
      ...harness.local.envVars,
      PULUMI_HOME: path.join(harness.local.stateDir, "home"),
    };
  });

  afterAll(async () => {
    await harness?.close();
  });

  it("ends with every declared object exactly once and nothing orphaned", async () => {
    await harness.declare(consumers("crash", COUNT));

    // The CLI in a process group of its own, so the kill takes the language host and provider too.
    const child = spawn(
      "pulumi",
      ["up", "--yes", "--skip-preview", "--non-interactive", "--stack", harness.stack.name],
      {
        cwd: harness.stack.workspace.workDir,
        env,
        detached: true,
        stdio: "ignore",
      },
    );
    const exited = new Promise<NodeJS.Signals | null>((resolve) =>
      child.on("exit", (_code, signal) => resolve(signal)),
    );
    await waitFor("some creates to land", async () => {
      const live = ownedBy(await harness.state(), "crash");
      return live.applications.length >= 5 ? live : undefined;
    });
    process.kill(-child.pid!, "SIGKILL");
    expect(await exited).toBe("SIGKILL");
    // The engine starts its plugins in process groups of their own: end this stack's orphaned
    // provider process too, found by the backend only this test uses.
    killProcessesWithEnv(`PULUMI_BACKEND_URL=${harness.local.envVars.PULUMI_BACKEND_URL}`);

    // The local backend writes each checkpoint atomically, but not its metadata sidecar
    // (`<stack>.json.attrs`): a kill during that write leaves it empty and every later command
    // fails with "failed to load checkpoint: EOF" (it happened in CI). Put the sidecar in exactly
    // that state so the README's step for it runs every time, not only when the race is lost.
    const sidecar = await checkpointSidecar(harness);
    fs.writeFileSync(sidecar, "");
    await expect(pulumi("stack", "export")).rejects.toThrow(/failed to load checkpoint: EOF/);
    // Step 0 of the README: delete the truncated sidecar (it holds only a checksum and a content type).
    fs.rmSync(sidecar);

    const crashed = ownedBy(await harness.state(), "crash");
    expect(crashed.contracts.length).toBeLessThan(2 * COUNT); // the kill did land mid-run
    const afterCrash = await stackContents(harness);
    // Creates the engine had started but not finished are recorded as pending operations.
    expect(afterCrash.pendingOperations.length).toBeGreaterThan(0);

    // Step 1 of the README: the killed process left its lock on the local backend; remove it.
    await expect(pulumi("refresh", "--yes", "--skip-preview")).rejects.toThrow(/locked/);
    await pulumi("cancel", "--yes");
    // Step 2: refresh, dropping the pending creates from the state.
    await pulumi("refresh", "--yes", "--skip-preview", "--clear-pending-creates");
    expect((await stackContents(harness)).pendingOperations).toEqual([]);

    // Step 3: up with adopt: true takes over what was created just before the kill.
    await harness.declare(consumers("crash", COUNT, { adopt: true }));
    const result = await harness.stack.up();
    expect(result.summary.result).toBe("succeeded");

    const live = ownedBy(await harness.state(), "crash");
    expect(live.applications).toHaveLength(COUNT);
    expect(duplicates(live.applications.map((app) => app.name))).toEqual([]);
    expect(live.contracts).toHaveLength(2 * COUNT);
    expect(duplicates(live.contracts.map((c) => `${c.applicationId}/${c.apiId ?? c.apiInstanceId}`))).toEqual(
      [],
    );
    // Every object made before the crash is still there (none deleted, none replaced)...
    for (const app of crashed.applications) expect(live.applications.map((a) => a.id)).toContain(app.id);
    // ...and every object Anypoint has is in the stack: no orphan.
    const recorded = await stackContents(harness);
    expect(recorded.pendingOperations).toEqual([]);
    expect(summarize(recorded)).toEqual(summarize(live));

    // Converged: another up has nothing to do.
    const again = await harness.stack.preview();
    expect(again.changeSummary).toEqual({ same: 3 * COUNT + 1 });
  });
});

/** The metadata sidecar of the stack's checkpoint on the local file backend. */
async function checkpointSidecar(harness: Harness): Promise<string> {
  const backendDir = new URL(harness.local.envVars.PULUMI_BACKEND_URL).pathname;
  const { name: project } = await harness.stack.workspace.projectSettings();
  const sidecar = path.join(backendDir, ".pulumi", "stacks", project, `${harness.stack.name}.json.attrs`);
  if (!fs.existsSync(sidecar)) throw new Error(`no checkpoint sidecar at ${sidecar}`);
  return sidecar;
}

/** SIGKILLs, by pid, the processes whose environment holds `entry` (Linux /proc). */
function killProcessesWithEnv(entry: string): void {
  for (const pid of fs.readdirSync("/proc").filter((name) => /^\d+$/.test(name))) {
    let environment: string;
    try {
      environment = fs.readFileSync(`/proc/${pid}/environ`, "utf8");
    } catch {
      continue; // gone, or not ours to read
    }
    if (Number(pid) !== process.pid && environment.split("\0").includes(entry)) {
      try {
        process.kill(Number(pid), "SIGKILL");
      } catch {
        // already exited
      }
    }
  }
}
