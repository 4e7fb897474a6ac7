/**
 * Emulator throughput on loopback: requests per second for a read-heavy and a write-heavy mix.
 * The emulator runs in a worker thread (its own event loop), the load comes from this thread
 * over keep-alive HTTP to 127.0.0.1. Bounded request counts; stops by itself.
 *
 *   npm run bench:emulator
 */
import * as http from "node:http";
import { isMainThread, parentPort, Worker } from "node:worker_threads";
import { DEMO_CREDENTIALS, startEmulator } from "../emulator";

const CONCURRENCY = 32;
const READ_REQUESTS = 20_000;
const WRITE_REQUESTS = 8_000;

const ROOT = DEMO_CREDENTIALS.organizationId;
const SANDBOX = DEMO_CREDENTIALS.sandboxEnvironmentId;
const E2 = `/exchange/api/v2/organizations/${ROOT}/applications`;
const R2 = `/apiplatform/repository/v2/organizations/${ROOT}/applications`;
const AM = `/apimanager/api/v1/organizations/${ROOT}/environments/${SANDBOX}/apis`;

interface Answer {
  status: number;
  body: unknown;
}

function client(port: number) {
  const agent = new http.Agent({ keepAlive: true, maxSockets: CONCURRENCY });
  return (method: string, path: string, token?: string, body?: unknown): Promise<Answer> =>
    new Promise((resolve, reject) => {
      const payload = body === undefined ? undefined : JSON.stringify(body);
      const request = http.request(
        {
          host: "127.0.0.1",
          port,
          method,
          path,
          agent,
          headers: {
            ...(token ? { authorization: `Bearer ${token}` } : {}),
            ...(payload
              ? { "content-type": "application/json", "content-length": Buffer.byteLength(payload) }
              : {}),
          },
        },
        (response) => {
          const chunks: Buffer[] = [];
          response.on("data", (chunk: Buffer) => chunks.push(chunk));
          response.on("end", () => {
            const text = Buffer.concat(chunks).toString();
            resolve({ status: response.statusCode ?? 0, body: text ? JSON.parse(text) : undefined });
          });
        },
      );
      request.on("error", reject);
      request.end(payload);
    });
}

type Call = ReturnType<typeof client>;

/** Runs `total` steps with CONCURRENCY in flight; returns requests per second. */
async function measure(
  total: number,
  step: (index: number) => Promise<number>,
): Promise<{ rps: number; requests: number }> {
  let next = 0;
  let requests = 0;
  const started = process.hrtime.bigint();
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next < total) {
        const made = await step(next++);
        requests += made;
      }
    }),
  );
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  return { rps: requests / seconds, requests };
}

function expectStatus(answer: Answer, status: number, what: string): Answer {
  if (answer.status !== status) throw new Error(`${what}: ${answer.status} ${JSON.stringify(answer.body)}`);
  return answer;
}

async function main(): Promise<void> {
  const worker = new Worker(__filename);
  const port = await new Promise<number>((resolve) => worker.once("message", resolve));
  const call: Call = client(port);
  try {
    const token = (
      (
        await call("POST", "/accounts/api/v2/oauth2/token", undefined, {
          grant_type: "client_credentials",
          client_id: DEMO_CREDENTIALS.clientId,
          client_secret: DEMO_CREDENTIALS.clientSecret,
        })
      ).body as { access_token: string }
    ).access_token;
    const apps: number[] = [];
    for (let i = 0; i < 50; i++) {
      const created = await call("POST", E2, token, {
        name: `bench-read-${i}`,
        redirectUri: [],
        grantTypes: [],
      });
      apps.push((expectStatus(created, 201, "seed app").body as { id: number }).id);
    }

    // Read-heavy: 9 reads for each write, across the calls the provider and CLI make.
    const reads = [
      () => call("GET", `${E2}/${apps[Math.floor(Math.random() * apps.length)]}`, token),
      () => call("GET", `${R2}?targetAdminSite=true&limit=100`, token),
      () => call("GET", `${AM}?limit=20`, token),
      () => call("GET", `${AM}/18800101`, token),
      () => call("GET", `${AM}/18800101/tiers`, token),
      () => call("GET", `${AM}/18800101/contracts`, token),
      () => call("GET", `/exchange/api/v2/assets/${ROOT}/orders-api/versionGroups/v1/instances`, token),
      () => call("GET", E2, token),
      () => call("GET", "/accounts/api/me", token),
    ];
    const read = await measure(READ_REQUESTS, async (index) => {
      if (index % 10 === 9) {
        expectStatus(
          await call("PATCH", `${E2}/${apps[index % apps.length]}`, token, { description: `v${index}` }),
          200,
          "patch",
        );
      } else expectStatus(await reads[index % reads.length](), 200, "read");
      return 1;
    });

    // Write-heavy: create an application, request access, change its tier, delete it (4 requests).
    const write = await measure(WRITE_REQUESTS / 4, async (index) => {
      const app = expectStatus(
        await call("POST", E2, token, { name: `bench-write-${index}`, redirectUri: [], grantTypes: [] }),
        201,
        "create app",
      ).body as { id: number };
      const contract = expectStatus(
        await call("POST", `${E2}/${app.id}/contracts`, token, {
          acceptedTerms: true,
          instanceType: "api",
          organizationId: ROOT,
          groupId: ROOT,
          assetId: "orders-api",
          version: "1.2.0",
          versionGroup: "v1",
          apiId: "18800101",
          requestedTierId: 5100102,
        }),
        201,
        "request access",
      ).body as { id: number };
      expectStatus(
        await call("PATCH", `${E2}/${app.id}/contracts/${contract.id}`, token, { requestedTierId: 5100101 }),
        200,
        "tier change",
      );
      expectStatus(await call("DELETE", `${E2}/${app.id}`, token), 204, "delete app");
      return 4;
    });

    const line = (name: string, result: { rps: number; requests: number }) =>
      `${name.padEnd(12)} ${Math.round(result.rps).toString().padStart(7)} requests/s  (${result.requests} requests, ${CONCURRENCY} in flight)`;
    process.stdout.write(
      `Anypoint emulator on 127.0.0.1, keep-alive HTTP/1.1\n${line("read-heavy", read)}\n${line("write-heavy", write)}\n`,
    );
  } finally {
    worker.postMessage("stop");
    await new Promise((resolve) => worker.once("exit", resolve));
  }
}

if (isMainThread) {
  main().catch((error: unknown) => {
    process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exitCode = 1;
  });
} else {
  void startEmulator({ port: 0, host: "127.0.0.1" }).then((emulator) => {
    parentPort!.postMessage(emulator.port);
    parentPort!.once("message", () => void emulator.close().then(() => process.exit(0)));
  });
}
