import { execFile } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { promisify } from "node:util";

const run = promisify(execFile);
const PINS = path.join(__dirname, "..", "..", "scripts", "pulumi-pins.tsv");
const HOST_MODULE = "github.com/pulumi/pulumi/sdk/nodejs/cmd/pulumi-language-nodejs/v3";

interface Pin {
  pulumi: string;
  go: string;
  host: string;
  hostPulumi: string;
  hostSums: [string, string];
  replaces: { from: string; to: string; version: string }[];
}

function readPins(): Pin[] {
  return fs
    .readFileSync(PINS, "utf8")
    .split("\n")
    .filter((line) => line.trim() !== "" && !line.startsWith("#"))
    .map((line) => {
      const [pulumi, go, replaces, host, hostPulumi, sums] = line.split("\t");
      const [zipSum, modSum] = sums.split(",");
      return {
        pulumi,
        go,
        host,
        hostPulumi,
        hostSums: [zipSum, modSum],
        replaces: replaces.split(",").map((pair) => {
          const [from, target] = pair.split("=");
          const [to, version] = target.split("@");
          return { from, to, version };
        }),
      };
    });
}

/** `go list -m -json` (or `go mod download -json`) outside any module, as the set-up script resolves them. */
async function goJson(args: string[], env: Record<string, string> = {}): Promise<Record<string, unknown>> {
  const { stdout } = await run("go", args, {
    cwd: os.tmpdir(),
    env: { ...process.env, GOFLAGS: "-mod=mod", ...env },
    maxBuffer: 16 * 1024 * 1024,
  });
  return JSON.parse(stdout) as Record<string, unknown>;
}

describe("scripts/pulumi-pins.tsv: every module version the CLI build needs is pinned and served", () => {
  const pins = readPins();

  it("lists the newest CLI first, each version once, with well-formed fields", () => {
    expect(pins.length).toBeGreaterThan(0);
    const versions = pins.map((pin) => pin.pulumi);
    expect(new Set(versions).size).toBe(versions.length);
    const sorted = [...versions].sort((a, b) => b.localeCompare(a, undefined, { numeric: true }));
    expect(versions).toEqual(sorted);
    for (const pin of pins) {
      expect(pin.pulumi).toMatch(/^\d+\.\d+\.\d+$/);
      expect(pin.go).toMatch(/^\d+\.\d+(\.\d+)?$/);
      expect(pin.host).toMatch(/^v3\.0\.0-\d{14}-[0-9a-f]{12}$/);
      expect(pin.hostSums.every((sum) => /^h1:[A-Za-z0-9+/]{43}=$/.test(sum))).toBe(true);
      expect(pin.replaces.every((r) => r.from && r.to && /^v\d/.test(r.version))).toBe(true);
      // The language host is built with its own release's row (go directive, replaces).
      expect(versions).toContain(pin.hostPulumi);
    }
  });

  it.each(readPins().map((pin) => [pin.pulumi, pin] as const))(
    "Pulumi %s: pkg, sdk, the language host and every replacement resolve at exactly the pinned versions",
    async (_version, pin) => {
      const wanted = [
        ["github.com/pulumi/pulumi/pkg/v3", `v${pin.pulumi}`],
        ["github.com/pulumi/pulumi/sdk/v3", `v${pin.pulumi}`],
        [HOST_MODULE, pin.host],
        ["github.com/pulumi/pulumi/pkg/v3", `v${pin.hostPulumi}`],
        ...pin.replaces.map((r) => [r.to, r.version]),
      ];
      for (const [module, version] of wanted) {
        const info = await goJson(["list", "-m", "-json", `${module}@${version}`], {
          GONOSUMDB: HOST_MODULE,
        });
        expect({ module, version: info.Version }).toEqual({ module, version });
      }
    },
    180_000,
  );

  it("pins the language host's hashes the proxy serves (the checksum database has none for it)", async () => {
    const hosts = new Map(readPins().map((pin) => [pin.host, pin.hostSums]));
    for (const [version, [zipSum, modSum]] of hosts) {
      const download = await goJson(["mod", "download", "-json", `${HOST_MODULE}@${version}`], {
        GONOSUMDB: HOST_MODULE,
        GOFLAGS: "-modcacherw",
      });
      expect({ version, zip: download.Sum, mod: download.GoModSum }).toEqual({
        version,
        zip: zipSum,
        mod: modSum,
      });
    }
  }, 180_000);
});
