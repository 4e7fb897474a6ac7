import * as fs from "node:fs";
import * as path from "node:path";
import { minimumScopeRows, PIPELINE, renderScopes, REQUIREMENTS, scopesOfApp } from "../../client/scopes";

const root = path.join(__dirname, "..", "..");

/** The cells of the first markdown table after `heading`, header row included, separator row left out. */
function tableAfter(markdown: string, heading: RegExp): string[][] {
  const start = markdown.search(heading);
  expect(start).toBeGreaterThanOrEqual(0);
  const lines = markdown.slice(start).split("\n").slice(1);
  const first = lines.findIndex((line) => line.startsWith("|"));
  const rows = [];
  for (const line of lines.slice(first)) {
    if (!line.startsWith("|")) break;
    if (/^\|[\s|:-]+\|$/.test(line)) continue;
    rows.push(
      line
        .slice(1, -1)
        .split("|")
        .map((cell) => cell.trim()),
    );
  }
  return rows;
}

describe("the README's minimum scopes", () => {
  it("is the scope table of client/scopes.ts, rendered", () => {
    const readme = fs.readFileSync(path.join(root, "README.md"), "utf8");
    expect(tableAfter(readme, /^### Minimum scopes$/m)).toEqual(minimumScopeRows());
  });
});

describe("the gitops example's connected apps", () => {
  const readme = fs.readFileSync(path.join(root, "examples", "gitops", "README.md"), "utf8");
  /** The paragraph that starts with `**name**`, on one line. */
  const paragraph = (name: string) => {
    const start = readme.indexOf(`**${name}**`);
    expect(start).toBeGreaterThanOrEqual(0);
    return readme.slice(start, readme.indexOf("\n\n", start)).replace(/\s+/g, " ");
  };
  const allScopes = new Set(Object.values(REQUIREMENTS).flatMap((entry) => entry.scopes.map((s) => s.scope)));

  it.each([
    ["deploy app", scopesOfApp(PIPELINE.deploy, "own")],
    ["read-only app", scopesOfApp(PIPELINE.readOnly, "others")],
  ])("says exactly which scopes the %s needs, as the scope table has them", (name, scopes) => {
    const text = paragraph(name);
    expect(text).toContain(`needs exactly: ${renderScopes(scopes)}.`);
    const named = scopes.map((scope) => scope.scope);
    for (const scope of allScopes) if (!named.includes(scope)) expect(text).not.toContain(`\`${scope}\``);
  });

  it("gives the read-only app no scope that changes anything", () => {
    expect(scopesOfApp(PIPELINE.readOnly, "others").map((scope) => scope.scope)).toEqual(
      expect.not.arrayContaining([expect.stringMatching(/^(manage|create):/)]),
    );
  });
});
