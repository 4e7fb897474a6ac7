import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as ts from "typescript";

/**
 * The declarations a user's compiler reads never import zod. zod's own .d.ts files do not compile
 * under Pulumi's TypeScript template (no esModuleInterop, no skipLibCheck: TS1259 in
 * zod/v4/locales), so zod stays a runtime detail: the public types are plain interfaces.
 *
 * Reads dist/ (`npm run build`, which `npm test` runs first as `pretest`).
 */
const ROOT = path.resolve(__dirname, "..", "..");

interface PackageJson {
  types: string;
  exports: Record<string, string | { types?: string }>;
  typesVersions?: Record<string, Record<string, string[]>>;
}

/** Every .d.ts a user can name: the `types` of each export, typesVersions, and `types`. */
function entryPoints(): string[] {
  const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, "package.json"), "utf8")) as PackageJson;
  const entries = new Set<string>([pkg.types]);
  for (const target of Object.values(pkg.exports)) {
    if (typeof target === "object" && target.types) entries.add(target.types);
  }
  for (const map of Object.values(pkg.typesVersions ?? {})) {
    for (const targets of Object.values(map)) targets.forEach((target) => entries.add(target));
  }
  return [...entries].map((entry) => path.resolve(ROOT, entry)).sort();
}

const isZod = (specifier: string) => specifier === "zod" || specifier.startsWith("zod/");

/** A relative specifier of a .d.ts, as the compiler resolves it within dist/. */
function resolveDeclaration(from: string, specifier: string): string | undefined {
  const base = path.resolve(path.dirname(from), specifier.replace(/\.(c|m)?js$/, ""));
  return [`${base}.d.ts`, path.join(base, "index.d.ts"), base].find(
    (candidate) => candidate.endsWith(".d.ts") && fs.existsSync(candidate),
  );
}

/**
 * Walks the import graph (imports, re-exports, `import("...")` types, triple-slash references) of
 * the declarations from the entry points; returns each file that imports zod, with the chain of
 * files that reaches it.
 */
function zodImporters(entries: string[]): string[][] {
  const offenders: string[][] = [];
  const seen = new Set<string>();
  const queue: string[][] = entries.map((entry) => [entry]);
  while (queue.length > 0) {
    const chain = queue.shift()!;
    const file = chain[chain.length - 1];
    if (seen.has(file)) continue;
    seen.add(file);
    const info = ts.preProcessFile(fs.readFileSync(file, "utf8"), true, true);
    const specifiers = [
      ...info.importedFiles.map((ref) => ref.fileName),
      ...info.typeReferenceDirectives.map((ref) => ref.fileName),
      ...info.referencedFiles.map((ref) => `./${ref.fileName}`),
    ];
    if (specifiers.some(isZod)) offenders.push(chain);
    for (const specifier of specifiers) {
      if (!specifier.startsWith(".")) continue;
      const target = resolveDeclaration(file, specifier);
      if (target === undefined)
        throw new Error(`${file} imports "${specifier}", which has no declaration in dist/`);
      queue.push([...chain, target]);
    }
  }
  return offenders;
}

const relative = (file: string) => path.relative(ROOT, file);

describe("the published declarations", () => {
  const entries = entryPoints();

  it("are built (run `npm run build` first)", () => {
    for (const entry of entries)
      expect(fs.existsSync(entry) ? relative(entry) : `missing: ${relative(entry)}`).toBe(relative(entry));
  });

  it("name every public entry point", () => {
    expect(entries.map(relative)).toEqual(
      expect.arrayContaining([
        "dist/provider/index.d.ts",
        "dist/client/index.d.ts",
        "dist/emulator/index.d.ts",
        "dist/provider/implementation.d.ts",
      ]),
    );
  });

  it("never import zod, directly or through another declaration", () => {
    const offenders = zodImporters(entries).map(
      (chain) =>
        `${relative(chain[chain.length - 1])} imports zod (reached by ${chain.map(relative).join(" -> ")})`,
    );
    expect(offenders).toEqual([]);
  });

  it("the check sees an import of zod where there is one", () => {
    // The graph walk itself, on a declaration that imports zod through a type-only import() type.
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "pulumi-anypoint-declarations-"));
    try {
      fs.writeFileSync(path.join(dir, "index.d.ts"), 'export type { Shape } from "./shape";\n');
      fs.writeFileSync(path.join(dir, "shape.d.ts"), 'export type Shape = import("zod").ZodString;\n');
      expect(
        zodImporters([path.join(dir, "index.d.ts")]).map((chain) => chain.map((file) => path.basename(file))),
      ).toEqual([["index.d.ts", "shape.d.ts"]]);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
