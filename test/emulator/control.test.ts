import { spawn } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import YAML from "yaml";
import { defaultSeed, loadSeedFile } from "../../emulator";
import { API, amContracts, E2, FULL, LEGACY_CONTRACT, type Session, start } from "./support";

describe("the control surface under /_emulator/", () => {
  let s: Session;
  let token: string;
  beforeEach(async () => {
    s = await start();
    token = await s.token();
  });
  afterEach(() => s.close());

  it("resets to the seed, dropping what was created", async () => {
    await s.call("POST", E2, { token, body: { name: "temporary" } });
    expect((await s.control.state()).applications.map((app) => app.name)).toContain("temporary");
    await s.control.reset();
    expect((await s.control.state()).applications.map((app) => app.name)).toEqual(["legacy-mobile-app"]);
  });

  it("re-seeds from a seed given to reset", async () => {
    await s.control.reset({ ...defaultSeed(), applications: [], contracts: [] });
    expect(await s.control.state()).toMatchObject({ applications: [], contracts: [] });
  });

  it("applies out-of-band changes the API then shows", async () => {
    await s.control.changeContract(LEGACY_CONTRACT, { status: "REVOKED" });
    const answer = await s.call("GET", `${amContracts(API.ordersSandbox)}/${LEGACY_CONTRACT}`, { token });
    expect(answer.body).toMatchObject({ status: "REVOKED" });
  });

  it("injects a 429 with X-RateLimit headers on one route", async () => {
    await s.control.setFaults([{ path: "/applications$", method: "POST", status: 429, count: 1 }]);
    const limited = await s.call("POST", E2, { token, body: { name: "throttled" } });
    expect(limited.status).toBe(429);
    expect(limited.headers.get("x-ratelimit-limit")).toBeTruthy();
    expect(limited.headers.get("x-ratelimit-remaining")).toBe("0");
    expect(Number(limited.headers.get("x-ratelimit-reset"))).toBeGreaterThan(Date.now() / 1000 - 1);
    expect((await s.call("GET", E2, { token })).status).toBe(200);
    expect((await s.call("POST", E2, { token, body: { name: "throttled" } })).status).toBe(201);
  });

  it("repeats the same faults for the same PRNG seed", async () => {
    const run = async () => {
      await s.control.setFaults([{ path: "/applications$", status: 503, probability: 0.5 }], { seed: 42 });
      const statuses: number[] = [];
      for (let i = 0; i < 12; i++) statuses.push((await s.call("GET", E2, { token })).status);
      return statuses;
    };
    const first = await run();
    expect(first).toContain(503);
    expect(first).toContain(200);
    expect(await run()).toEqual(first);
  });

  it("drops the connection when told to", async () => {
    await s.control.setFaults([{ path: "/accounts/api/me", drop: true, count: 1 }]);
    await expect(s.call("GET", "/accounts/api/me", { token })).rejects.toThrow();
    expect((await s.call("GET", "/accounts/api/me", { token })).status).toBe(200);
  });

  it("can lose an answer after the request took effect", async () => {
    await s.control.setFaults([
      { path: "/applications$", method: "POST", status: 500, phase: "after", count: 1 },
    ]);
    expect((await s.call("POST", E2, { token, body: { name: "lost-answer" } })).status).toBe(500);
    expect((await s.call("POST", E2, { token, body: { name: "lost-answer" } })).status).toBe(409);
  });

  it("answers through added latency", async () => {
    await s.control.setFaults([], { latencyMs: 20 });
    expect((await s.call("GET", "/accounts/api/me", { token })).status).toBe(200);
    await s.control.clearFaults();
  });

  it("logs each API request with method, path, status and caller", async () => {
    await s.control.clearRequests();
    await s.call("GET", E2, { token });
    await s.call("GET", "/accounts/api/me");
    const { requests } = await s.control.requests();
    expect(requests).toEqual([
      expect.objectContaining({ method: "GET", path: E2, status: 200, caller: FULL.clientId }),
      expect.objectContaining({ method: "GET", path: "/accounts/api/me", status: 401 }),
    ]);
  });
});

describe("seed files and the state file", () => {
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "emulator-"));
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it("reads the same seed from YAML and from JSON", () => {
    const seed = { ...defaultSeed(), applications: [] };
    fs.writeFileSync(path.join(dir, "seed.yaml"), YAML.stringify(seed));
    fs.writeFileSync(path.join(dir, "seed.json"), JSON.stringify(seed));
    expect(loadSeedFile(path.join(dir, "seed.yaml"))).toEqual(loadSeedFile(path.join(dir, "seed.json")));
  });

  it("names the field of an invalid seed", () => {
    fs.writeFileSync(path.join(dir, "bad.yaml"), "organizations: []\n");
    expect(() => loadSeedFile(path.join(dir, "bad.yaml"))).toThrow(/organizations/);
  });

  it("keeps state across a restart with --state, written by rename with no temp file left", async () => {
    const statePath = path.join(dir, "state.json");
    const first = await start({ statePath });
    const token = await first.token();
    const created = (await first.call("POST", E2, { token, body: { name: "survives" } })).body as {
      id: number;
    };
    await first.close();
    expect(fs.readdirSync(dir)).toEqual(["state.json"]);
    const second = await start({ statePath });
    try {
      const answer = await second.call("GET", `${E2}/${created.id}`, { token: await second.token() });
      expect(answer).toMatchObject({ status: 200, body: { name: "survives" } });
    } finally {
      await second.close();
    }
  });
});

describe("the emulator command", () => {
  it("prints its address on one line, then the demo credentials, and listens on a free port for --port 0", async () => {
    const child = spawn(
      process.execPath,
      [
        "-r",
        "ts-node/register/transpile-only",
        path.join(__dirname, "..", "..", "cli", "main.ts"),
        "emulator",
        "--port",
        "0",
      ],
      { stdio: ["ignore", "pipe", "pipe"] },
    );
    try {
      const output = await new Promise<string>((resolve, reject) => {
        let text = "";
        child.stdout.on("data", (chunk: Buffer) => {
          text += chunk.toString();
          if (text.includes("Control surface")) resolve(text);
        });
        child.on("exit", (code) => reject(new Error(`exited with ${code}: ${text}`)));
      });
      const [first] = output.split("\n");
      const match = /^Anypoint emulator listening on (http:\/\/127\.0\.0\.1:(\d+))$/.exec(first);
      expect(match).not.toBeNull();
      expect(Number(match![2])).toBeGreaterThan(0);
      expect(output).toContain(FULL.clientId);
      expect(output).toContain(FULL.clientSecret);
      const answer = await fetch(`${match![1]}/_emulator/state`);
      expect(answer.status).toBe(200);
    } finally {
      child.kill("SIGTERM");
    }
  });
});
