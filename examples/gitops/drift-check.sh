#!/usr/bin/env bash
# Drift check for a Pulumi stack of Anypoint client applications and contracts.
#
#   drift-check.sh [stack]        (or set PULUMI_STACK; run in the project folder or set PROJECT_DIR)
#
# Exit codes: 0 no drift, 1 drift found, 2 the check itself failed (credentials, network, state).
#
# It asks every resource's provider to read the live object (`pulumi refresh --preview-only`) and
# compares it with the stack's state. Nothing is written: the state keeps what was deployed, so
# `pulumi up --refresh` puts the declared values back. Only resource names, operations and the
# names of changed properties are printed, never values (secrets stay out of CI logs).
#
# What decides "drift or not" is the preview's change summary, which every Pulumi CLI reports the
# same way. The per-resource steps are not used for the verdict: from CLI 3.274 on they all say
# "refresh" with the old state, drift or not. The names of drifted resources and properties come
# from the steps where a CLI fills them in, else from the `--diff` rendering of the same preview.
set -euo pipefail

stack="${1:-${PULUMI_STACK:-}}"
if [[ -z "$stack" ]]; then
  echo "drift-check: name the stack: drift-check.sh <stack>, or set PULUMI_STACK" >&2
  exit 2
fi
project_dir="${PROJECT_DIR:-$(pwd)}"

for tool in pulumi node; do
  if ! command -v "$tool" >/dev/null 2>&1; then
    echo "drift-check: '$tool' is not on PATH" >&2
    exit 2
  fi
done

workdir="$(mktemp -d)"
trap 'rm -rf "$workdir"' EXIT

refresh=(pulumi refresh --preview-only --non-interactive --suppress-progress --stack "$stack" --cwd "$project_dir")
# Without --run-program, refresh uses the provider configuration recorded at the last `pulumi up`:
# a rotated connected-app secret in the stack config would not be used until then.
if pulumi refresh --help 2>/dev/null | grep -q -- '--run-program'; then
  refresh+=(--run-program)
fi

echo "drift-check: reading the live state of stack '$stack'"
set +e
"${refresh[@]}" --json >"$workdir/refresh.json" 2>"$workdir/refresh.err"
status=$?
set -e
if [[ $status -ne 0 ]]; then
  echo "drift-check: the refresh failed (exit $status), so drift is unknown:" >&2
  cat "$workdir/refresh.err" >&2
  # In JSON mode the engine's diagnostics are in the document itself.
  node -e '
    const fs = require("node:fs");
    try {
      const doc = JSON.parse(fs.readFileSync(process.argv[1], "utf8"));
      for (const d of doc.diagnostics ?? []) process.stderr.write(`${d.severity}: ${String(d.message).trim()}\n`);
    } catch {}
  ' "$workdir/refresh.json" || true
  exit 2
fi

# Verdict and names. Exit 0 clean, 1 drift with names found in the steps, 3 drift without names.
set +e
node - "$workdir/refresh.json" >"$workdir/verdict.txt" <<'NODE'
const fs = require("node:fs");
const doc = JSON.parse(fs.readFileSync(process.argv[2], "utf8"));
if (!doc.changeSummary || typeof doc.changeSummary !== "object") {
  console.error("drift-check: the refresh preview has no change summary");
  process.exit(2);
}
const drifted = Object.entries(doc.changeSummary).filter(([op, count]) => op !== "same" && count > 0);
if (drifted.length === 0) process.exit(0);
console.log(`summary: ${drifted.map(([op, count]) => `${count} ${op}`).join(", ")}`);
// urn:pulumi:<stack>::<project>::<parent type$>type::<name>
const label = (urn) => {
  const parts = urn.split("::");
  const type = (parts[2] ?? "").split("$").pop().split(":").pop();
  return `${type} ${parts.slice(3).join("::")}`;
};
const changedKeys = (step) => {
  const before = step.oldState?.outputs ?? {};
  const after = step.newState?.outputs ?? {};
  return [...new Set([...Object.keys(before), ...Object.keys(after)])]
    .filter((key) => key !== "__provider" && JSON.stringify(before[key]) !== JSON.stringify(after[key]))
    .sort();
};
const named = (doc.steps ?? []).filter((step) => !["same", "refresh", "read"].includes(step.op));
for (const step of named) {
  const keys = changedKeys(step);
  console.log(step.op === "delete" ? `${label(step.urn)}\tdeleted` : `${label(step.urn)}\t${keys.join(", ")}`);
}
process.exit(named.length > 0 ? 1 : 3);
NODE
status=$?
set -e
if [[ $status -eq 0 ]]; then
  echo "drift-check: no drift"
  exit 0
fi
if [[ $status -eq 3 ]]; then
  # This CLI leaves the steps unchanged: ask for the same preview rendered as a diff.
  set +e
  "${refresh[@]}" --diff >"$workdir/refresh.diff" 2>>"$workdir/refresh.err"
  diff_status=$?
  set -e
  if [[ $diff_status -ne 0 ]]; then
    echo "drift-check: drift was found, but the diff preview that names it failed (exit $diff_status):" >&2
    cat "$workdir/refresh.err" >&2
    exit 2
  fi
  node - "$workdir/refresh.diff" >>"$workdir/verdict.txt" <<'NODE'
const fs = require("node:fs");
// A resource block: "  ~ <type>: (update)" or "  - <type>: (delete)", then "[urn=...]", then its
// properties, the changed ones marked "~ name :", "+ name :" or "- name :". Only names are kept.
let current;
const blocks = [];
for (const line of fs.readFileSync(process.argv[2], "utf8").split("\n")) {
  const header = /^\s*([~+-]{1,2})\s+\S+: \((\w[\w-]*)\)\s*$/.exec(line);
  if (header) {
    current = { op: header[2], urn: "", keys: new Set() };
    blocks.push(current);
    continue;
  }
  if (!current) continue;
  const urn = /^\s*\[urn=([^\]]+)\]\s*$/.exec(line);
  if (urn) {
    current.urn = urn[1];
    continue;
  }
  const property = /^\s*[~+-]\s+([A-Za-z_][\w]*)\s*:/.exec(line);
  if (property) current.keys.add(property[1]);
}
const label = (urn) => {
  const parts = urn.split("::");
  const type = (parts[2] ?? "").split("$").pop().split(":").pop();
  return `${type} ${parts.slice(3).join("::")}`;
};
for (const block of blocks.filter((b) => b.urn && b.op !== "same")) {
  console.log(
    block.op === "delete" ? `${label(block.urn)}\tdeleted` : `${label(block.urn)}\t${[...block.keys].sort().join(", ")}`,
  );
}
NODE
fi

count=0
while IFS=$'\t' read -r resource what; do
  [[ -n "$resource" ]] || continue
  if [[ "$resource" == summary:* ]]; then
    summary="${resource#summary: }"
    continue
  fi
  count=$((count + 1))
  if [[ "$what" == "deleted" ]]; then
    echo "drift-check: DRIFT $resource: deleted outside Pulumi"
  else
    echo "drift-check: DRIFT $resource: changed: ${what:-(details hidden)}"
  fi
done <"$workdir/verdict.txt"
echo "drift-check: ${summary:-drift} in stack '$stack' (${count} resource(s) named above). Run 'pulumi up --refresh' to restore the declared state, or change the program to accept the new values."
exit 1
