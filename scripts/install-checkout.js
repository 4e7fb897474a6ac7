#!/usr/bin/env node
// Installs this checkout's build into its own node_modules/pulumi-anypoint, file by file as
// `npm install` of the packed package would (the files `npm pack` lists), after every
// `npm run build` (the `postbuild` script).
//
// Why: the Pulumi SDK serializes a resource's provider as `require("pulumi-anypoint/kinds/...")`
// only when the provider object is a module under node_modules, and as code otherwise
// (provider/stub.ts). The demo, the test fixtures and the benchmark import pulumi-anypoint by
// name; this copy gives them, and the provider process that runs their resources, the path a
// user's installed package takes.
//
// Each file is written under a temporary name and renamed, so a provider process of a test run
// going on at the same time reads either the previous or the new file, never half of one.
"use strict";
const { execFileSync } = require("node:child_process");
const fs = require("node:fs");
const path = require("node:path");

const root = path.resolve(__dirname, "..");
const target = path.join(root, "node_modules", "pulumi-anypoint");

function packedFiles() {
  const npm = process.env.npm_execpath;
  const [command, args] = npm
    ? [process.execPath, [npm, "pack", "--dry-run", "--json", "--ignore-scripts"]]
    : ["npm", ["pack", "--dry-run", "--json", "--ignore-scripts"]];
  const output = execFileSync(command, args, {
    cwd: root,
    encoding: "utf8",
    stdio: ["ignore", "pipe", "ignore"],
  });
  const [pack] = JSON.parse(output);
  return pack.files.map((file) => file.path);
}

function main() {
  if (fs.existsSync(target) && fs.lstatSync(target).isSymbolicLink()) fs.unlinkSync(target);
  const files = packedFiles();
  const wanted = new Set(files);
  for (const file of files) {
    const from = path.join(root, file);
    const to = path.join(target, file);
    fs.mkdirSync(path.dirname(to), { recursive: true });
    const content = fs.readFileSync(from);
    if (fs.existsSync(to) && content.equals(fs.readFileSync(to))) continue;
    const temporary = `${to}.${process.pid}.tmp`;
    fs.writeFileSync(temporary, content);
    fs.renameSync(temporary, to);
  }
  // Files the package no longer has.
  const walk = (dir) => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (
        !entry.name.endsWith(".tmp") &&
        !wanted.has(path.relative(target, full).split(path.sep).join("/"))
      )
        fs.rmSync(full, { force: true });
    }
  };
  walk(target);
}

main();
