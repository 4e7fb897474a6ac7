import { execFile } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { promisify } from "node:util";
import { exampleDir, exampleNames, linkDependencies, REPO_ROOT } from "./exampleProject";

const execFileAsync = promisify(execFile);
const TSC = path.join(REPO_ROOT, "node_modules", "typescript", "bin", "tsc");

// Every example compiles as a user's copy would, against this checkout's pulumi-anypoint (its
// published entry points in dist/, so `npm run build` first) and @pulumi/pulumi.
describe("every example", () => {
  it("is a complete project: package.json, tsconfig.json, index.ts and a README", () => {
    expect(exampleNames()).toEqual([
      "automation",
      "contracts-as-data",
      "gitops",
      "multi-environment",
      "quickstart",
    ]);
    for (const name of exampleNames()) {
      const files = fs.readdirSync(exampleDir(name));
      expect({ name, files }).toEqual({
        name,
        files: expect.arrayContaining(["package.json", "tsconfig.json", "index.ts", "README.md"]),
      });
      const manifest = JSON.parse(fs.readFileSync(path.join(exampleDir(name), "package.json"), "utf8"));
      expect(Object.keys(manifest.dependencies)).toEqual(
        expect.arrayContaining(["@pulumi/pulumi", "pulumi-anypoint"]),
      );
      // Every example but the Automation API one (an inline program) is a project the CLI runs.
      if (name !== "automation") expect(files).toContain("Pulumi.yaml");
    }
  });

  it.each(["automation", "contracts-as-data", "gitops", "multi-environment", "quickstart"])(
    "%s type-checks with tsc --noEmit",
    async (name) => {
      const dir = linkDependencies(name);
      const result = await execFileAsync(process.execPath, [TSC, "--noEmit", "-p", dir], { cwd: dir }).then(
        () => "",
        (error: { stdout?: string; stderr?: string }) => `${error.stdout ?? ""}${error.stderr ?? ""}`,
      );
      expect(result).toBe("");
    },
  );
});
