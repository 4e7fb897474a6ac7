#!/usr/bin/env bash
# The two commands of the README, and the set-up they share:
#   ./dev.sh demo   the guided demo on the embedded Anypoint emulator
#   ./dev.sh test   the whole test suite (extra arguments go to jest)
#   ./dev.sh setup  only install what is missing (npm dependencies, Node 24, the Pulumi CLI)
# Each installs what is missing first and is quick when nothing is.
#
#   PULUMI_ANYPOINT_SDK_VERSION      run against this @pulumi/pulumi instead of the locked one
#                                    (installed with --no-save; CI's oldest-SDK cell uses it in a copy)
#   PULUMI_ANYPOINT_PULUMI_VERSION   the Pulumi CLI to build (a row of scripts/pulumi-pins.tsv)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"

say() { printf '[dev] %s\n' "$*" >&2; }

# An unknown command installs nothing.
case "${1:-}" in
  demo | test | setup) ;;
  *)
    say "usage: ./dev.sh demo | test [jest args] | setup"
    exit 2
    ;;
esac

command -v npm >/dev/null 2>&1 || { say "error: npm is required to bootstrap (any Node >= 18 with npm); Node 24 itself comes from the npm registry"; exit 1; }

# npm dependencies, including Node 24 (the `node` dev dependency puts it first on npm run's PATH).
stamp=node_modules/.package-lock.json
if [ ! -x node_modules/.bin/node ] || [ ! -f "$stamp" ] || [ package-lock.json -nt "$stamp" ] || [ package.json -nt "$stamp" ]; then
  say "installing npm dependencies (Node 24, @pulumi/pulumi, jest, ...)"
  npm ci --no-audit --no-fund --loglevel=error >&2 ||
    { say "error: npm ci failed (messages above): check that the npm registry ($(npm config get registry)) is reachable"; exit 1; }
fi
export PATH="$PWD/node_modules/.bin:$PATH"
sdk_version() { node -p 'require("@pulumi/pulumi/package.json").version'; }
if [ -n "${PULUMI_ANYPOINT_SDK_VERSION:-}" ] && [ "$(sdk_version)" != "$PULUMI_ANYPOINT_SDK_VERSION" ]; then
  say "installing @pulumi/pulumi@$PULUMI_ANYPOINT_SDK_VERSION in place of the locked version (not saved)"
  npm install --no-save --no-audit --no-fund --loglevel=error "@pulumi/pulumi@$PULUMI_ANYPOINT_SDK_VERSION" >&2
fi

# The Pulumi CLI (cached per user; built from the Go module proxy the first time).
PULUMI_ANYPOINT_PULUMI_BIN="$(bash scripts/ensure-pulumi.sh)"
export PULUMI_ANYPOINT_PULUMI_BIN
export PATH="$PULUMI_ANYPOINT_PULUMI_BIN:$PATH"

versions() {
  local host
  host="$(awk -F'\t' '{ print $4 " (Pulumi " $5 ")" }' "$PULUMI_ANYPOINT_PULUMI_BIN/.pins" 2>/dev/null || true)"
  printf 'engine: Pulumi CLI %s, language host %s, @pulumi/pulumi %s, Node %s\n' \
    "$(pulumi version)" "${host:-as installed}" "$(sdk_version)" "$(node --version)"
}

case "${1:-}" in
  demo)
    shift
    exec npm run --silent demo -- "$@"
    ;;
  test)
    shift
    versions
    report="$(mktemp)"
    status=0
    npm test --silent -- --json --outputFile="$report" "$@" || status=$?
    # One plain closing line, whatever the reporter printed above it.
    node -e '
      const r = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
      const skipped = r.numPendingTests + r.numTodoTests;
      console.log(`jest: ${r.numPassedTests} passed, ${r.numFailedTests} failed` + (skipped ? `, ${skipped} skipped` : ""));
    ' "$report" 2>/dev/null || echo "jest: 0 passed, 1 failed (no report: the run did not complete)"
    rm -f "$report"
    exit "$status"
    ;;
  setup)
    versions >&2
    ;;
esac
