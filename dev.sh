#!/usr/bin/env bash
# The two commands of the README, and the set-up they share:
#   ./dev.sh demo   the guided demo on the embedded Anypoint emulator
#   ./dev.sh test   the whole test suite
#   ./dev.sh setup  only install what is missing (npm dependencies, Node 24, the Pulumi CLI)
# Each installs what is missing first and is quick when nothing is.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"

say() { printf '[dev] %s\n' "$*" >&2; }

command -v npm >/dev/null 2>&1 || { say "error: npm is required to bootstrap (any Node >= 18 with npm); Node 24 itself comes from the npm registry"; exit 1; }

# npm dependencies, including Node 24 (the `node` dev dependency puts it first on npm run's PATH).
stamp=node_modules/.package-lock.json
if [ ! -x node_modules/.bin/node ] || [ ! -f "$stamp" ] || [ package-lock.json -nt "$stamp" ] || [ package.json -nt "$stamp" ]; then
  say "installing npm dependencies (Node 24, @pulumi/pulumi, jest, ...)"
  npm ci --no-audit --no-fund --loglevel=error >&2
fi

# The Pulumi CLI at the pinned SDK version (cached per user; built from the Go module proxy if needed).
PULUMI_ANYPOINT_PULUMI_BIN="$(bash scripts/ensure-pulumi.sh)"
export PULUMI_ANYPOINT_PULUMI_BIN
export PATH="$PULUMI_ANYPOINT_PULUMI_BIN:$PWD/node_modules/.bin:$PATH"

case "${1:-}" in
  demo)
    shift
    exec npm run --silent demo -- "$@"
    ;;
  test)
    shift
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
    node --version >&2
    pulumi version >&2
    ;;
  *)
    say "usage: ./dev.sh demo | test [jest args] | setup"
    exit 2
    ;;
esac
