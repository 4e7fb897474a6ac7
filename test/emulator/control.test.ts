import { spawn } from "node:child_process";
import * as fs from "node:fs";
import * as http from "node:http";
import * as os from "node:os";
import * as path from "node:path";
import YAML from "yaml";
import { defaultSeed, loadSeedFile } from "../../emulator";
import { API, amContracts, E2, FULL, LEGACY_CONTRACT, type Session, start, startWithToken } from "./support";

describe("the control surface under /_emulator/", () => {
  let s: Session;
  let token: string;
  beforeEach(async () => {
    ({ session: s, token } = await startWithToken());
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

/** A raw request with any headers (fetch forbids setting Host), answering status and body text. */
function rawRequest(
  url: string,
  method: string,
  route: string,
  headers: Record<string, string>,
  body?: string,
): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const request = http.request(`${url}${route}`, { method, headers }, (response) => {
      let text = "";
      response.on("data", (chunk: Buffer) => (text += chunk.toString()));
      response.on("end", () => resolve({ status: response.statusCode ?? 0, body: text }));
    });
    request.on("error", reject);
    request.end(body);
  });
}

describe("the control surface refuses what a web page could send", () => {
  let s: Session;
  let token: string;
  beforeEach(async () => {
    ({ session: s, token } = await startWithToken());
  });
  afterEach(() => s.close());

  const dropEverything = JSON.stringify({ rules: [{ status: 503 }] });

  it("refuses a cross-site text/plain POST that would change the faults", async () => {
    const answer = await rawRequest(
      s.emulator.url,
      "POST",
      "/_emulator/faults",
      {
        "content-type": "text/plain",
        origin: "http://evil.example",
      },
      dropEverything,
    );
    expect(answer.status).toBeGreaterThanOrEqual(400);
    expect((await s.call("GET", E2, { token })).status).toBe(200);
  });

  it("refuses a write from a foreign Origin even as JSON, and a write not sent as JSON", async () => {
    const foreign = await rawRequest(
      s.emulator.url,
      "POST",
      "/_emulator/faults",
      {
        "content-type": "application/json",
        origin: "http://evil.example",
      },
      dropEverything,
    );
    expect(foreign.status).toBe(403);
    const plain = await rawRequest(s.emulator.url, "POST", "/_emulator/faults", {}, dropEverything);
    expect(plain.status).toBe(415);
    expect((await s.call("GET", E2, { token })).status).toBe(200);
  });

  it("accepts a same-origin JSON write", async () => {
    const host = new URL(s.emulator.url).host;
    const answer = await rawRequest(
      s.emulator.url,
      "POST",
      "/_emulator/faults",
      {
        "content-type": "application/json",
        origin: `http://${host}`,
      },
      dropEverything,
    );
    expect(answer.status).toBe(204);
    expect((await s.call("GET", E2, { token })).status).toBe(503);
  });

  it("refuses a request whose Host is not loopback (DNS rebinding), without showing the state", async () => {
    const port = new URL(s.emulator.url).port;
    const rebound = await rawRequest(s.emulator.url, "GET", "/_emulator/state", {
      host: `rebind.evil.example:${port}`,
    });
    expect(rebound.status).toBe(403);
    expect(rebound.body).not.toContain(FULL.clientSecret);
    expect(rebound.body).not.toContain("clientSecret");
    const local = await rawRequest(s.emulator.url, "GET", "/_emulator/state", { host: `localhost:${port}` });
    expect(local.status).toBe(200);
  });

  it("refuses a regular-expression fault pattern such as (a+)+b, and stays responsive", async () => {
    const answer = await s.call("POST", "/_emulator/faults", {
      body: { rules: [{ path: "(a+)+b", status: 503 }] },
    });
    expect(answer.status).toBe(400);
    await expect(s.control.setFaults([{ path: `/${"a".repeat(10_000)}`, status: 503 }])).rejects.toThrow(
      /400/,
    );
    const started = Date.now();
    expect((await s.call("GET", `/exchange/api/v2/${"a".repeat(40)}c`, { token })).status).toBe(404);
    expect(Date.now() - started).toBeLessThan(1000);
  });

  it("matches fault paths as text with * and the ^ and $ anchors", async () => {
    const created = (await s.call("POST", E2, { token, body: { name: "glob-target" } })).body as {
      id: number;
    };
    await s.control.setFaults([{ method: "GET", path: "^/exchange/*/applications/*$", status: 418 }]);
    expect((await s.call("GET", `${E2}/${created.id}`, { token })).status).toBe(418);
    expect((await s.call("GET", E2, { token })).status).toBe(200);
    expect((await s.call("GET", `${E2}/${created.id}/contracts`, { token })).status).toBe(418);
    await s.control.setFaults([{ method: "GET", path: "/contracts$", status: 418 }]);
    expect((await s.call("GET", `${E2}/${created.id}`, { token })).status).toBe(200);
    expect((await s.call("GET", `${E2}/${created.id}/contracts`, { token })).status).toBe(418);
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
