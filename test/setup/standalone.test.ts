import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";

/**
 * The repository stands alone: a clone from its public home has nothing beside it, so no source,
 * test or script may read a path outside the repository root, and the facts and specs the code
 * relies on live inside it.
 */
const ROOT = path.resolve(__dirname, "..", "..");

function repositoryFiles(): string[] {
  const listed = execFileSync("git", ["ls-files", "-z", "--cached", "--others", "--exclude-standard"], {
    cwd: ROOT,
    encoding: "utf8",
  });
  return listed
    .split("\0")
    .filter((file) => file !== "" && fs.existsSync(path.join(ROOT, file)))
    .filter((file) => !file.startsWith("vendor/"));
}

const CODE = /\.(ts|js|mjs|cjs|sh|json|ya?ml)$|(^|\/)(dev\.sh|run|Dockerfile)$/;
const isCode = (file: string) => CODE.test(file) && !file.endsWith("package-lock.json");

/** Where `path.join(__dirname, "..", ...)` or `$(dirname "${BASH_SOURCE[0]}")/../..` leads, relative to the root. */
function escapes(file: string, text: string): string[] {
  const dir = path.dirname(path.join(ROOT, file));
  const found: string[] = [];
  const outside = (target: string) => path.relative(ROOT, target).startsWith("..");
  for (const match of text.matchAll(/path\.(?:join|resolve)\(\s*__dirname((?:\s*,\s*"[^"]*")+)/g)) {
    const segments = [...match[1].matchAll(/"([^"]*)"/g)].map((m) => m[1]);
    if (outside(path.join(dir, ...segments))) found.push(match[0]);
  }
  for (const match of text.matchAll(/dirname "\$\{BASH_SOURCE\[0\]\}"\)"?\/((?:\.\.\/?)+)/g)) {
    if (outside(path.join(dir, match[1]))) found.push(match[0]);
  }
  return found;
}

describe("the repository stands alone", () => {
  const files = repositoryFiles();

  it("finds the files it checks", () => {
    expect(files).toEqual(
      expect.arrayContaining(["dev.sh", "scripts/ensure-pulumi.sh", "test/emulator/openapi.ts"]),
    );
  });

  it("has no source, test or script that reaches above the repository root", () => {
    // This file itself holds such paths as the negative controls below.
    const checked = files.filter((file) => isCode(file) && file !== "test/setup/standalone.test.ts");
    const offenders = checked.flatMap((file) => {
      const text = fs.readFileSync(path.join(ROOT, file), "utf8");
      const named = [...text.matchAll(/\.\.\/shared\b|["'/]shared\/anypoint-specs|\/work\/shared/g)].map(
        (m) => m[0],
      );
      return [...named, ...escapes(file, text)].map((what) => `${file}: ${what}`);
    });
    expect(offenders).toEqual([]);
  });

  it("catches a path that climbs out of the root (the check above can fail)", () => {
    expect(
      escapes("test/emulator/openapi.ts", 'path.join(__dirname, "..", "..", "..", "shared")'),
    ).toHaveLength(1);
    expect(escapes("test/emulator/openapi.ts", 'path.join(__dirname, "..", "..", "vendor")')).toEqual([]);
    expect(escapes(".ci/run", 'cd "$(dirname "${BASH_SOURCE[0]}")/../.."')).toHaveLength(1);
    expect(escapes(".ci/run", 'cd "$(dirname "${BASH_SOURCE[0]}")/.."')).toEqual([]);
  });

  it("cites only documents the repository has", () => {
    const cited = new Set<string>();
    const missing: string[] = [];
    for (const file of files.filter((f) => isCode(f) || f.endsWith(".md"))) {
      const text = fs.readFileSync(path.join(ROOT, file), "utf8");
      if (/\b(ANYPOINT|PULUMI|STYLE)\.md\b/.test(text))
        missing.push(`${file}: names a document outside the repository`);
      for (const match of text.matchAll(/\bdocs\/[\w./-]+\.md\b/g)) cited.add(match[0]);
    }
    for (const doc of cited)
      if (!fs.existsSync(path.join(ROOT, doc))) missing.push(`${doc} is cited but missing`);
    expect(missing).toEqual([]);
    expect(cited.size).toBeGreaterThan(0);
  });

  it("vendors the official specs the tests read, with their licence and source", () => {
    const vendored = path.join(ROOT, "vendor", "anypoint-specs");
    expect(fs.readFileSync(path.join(vendored, "LICENSE.txt"), "utf8")).toMatch(/Apache License/);
    expect(fs.readFileSync(path.join(vendored, "README.md"), "utf8")).toMatch(/commit\s+[0-9a-f]{40}/);
    for (const api of ["exchange-experience", "api-platform", "api-manager", "access-management"]) {
      expect(fs.existsSync(path.join(vendored, api, "api.yaml"))).toBe(true);
    }
  });
});
