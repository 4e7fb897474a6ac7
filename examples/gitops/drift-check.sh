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

echo "drift-check: reading the live state of stack '$stack'"
set +e
pulumi refresh --preview-only --json --non-interactive --suppress-progress \
  --stack "$stack" --cwd "$project_dir" >"$workdir/refresh.json" 2>"$workdir/refresh.err"
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

# Summarize the preview: which resources changed or vanished, and which properties differ.
set +e
node - "$workdir/refresh.json" <<'NODE'
const fs = require("node:fs");
const doc = JSON.parse(fs.readFileSync(process.argv[2], "utf8"));
const quiet = new Set(["same", "refresh", "read"]);
const drifted = (doc.steps ?? []).filter((step) => !quiet.has(step.op));
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
for (const step of drifted) {
  const what = step.op === "delete" ? "deleted outside Pulumi" : `changed: ${changedKeys(step).join(", ") || "(details hidden)"}`;
  console.log(`drift-check: DRIFT ${label(step.urn)}: ${what}`);
}
if (drifted.length > 0) {
  console.log(`drift-check: ${drifted.length} resource(s) differ from the stack's state. Run 'pulumi up --refresh' to restore the declared state, or change the program to accept the new values.`);
  process.exit(1);
}
console.log("drift-check: no drift");
NODE
status=$?
set -e
if [[ $status -gt 1 ]]; then
  echo "drift-check: could not read the refresh preview (exit $status)" >&2
  exit 2
fi
exit $status
