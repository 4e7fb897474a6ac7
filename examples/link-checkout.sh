#!/usr/bin/env bash
# Run an example from a checkout of pulumi-anypoint instead of the npm release: links the
# example's node_modules to the checkout (pulumi-anypoint itself) and to the checkout's own
# dependencies, so the program, the provider and tsc share one @pulumi/pulumi.
#
#   npm ci && npm run build        (at the checkout's root, once)
#   cd examples/<example> && ../link-checkout.sh
set -euo pipefail
example="$(pwd)"
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
if [[ ! -f "$example/package.json" || "$(dirname "$example")" != "$root/examples" ]]; then
  echo "link-checkout: run it inside an example folder (examples/<name>)" >&2
  exit 2
fi
if [[ ! -f "$root/dist/provider/index.js" ]]; then
  echo "link-checkout: build the checkout first: (cd $root && npm run build)" >&2
  exit 2
fi
node -e '
  const m = require(process.argv[1]);
  console.log(Object.keys({ ...m.dependencies, ...m.devDependencies }).join("\n"));
' "$example/package.json" | while read -r dependency; do
  if [[ "$dependency" == "pulumi-anypoint" ]]; then target="$root"; else target="$root/node_modules/$dependency"; fi
  if [[ ! -e "$target" ]]; then
    echo "link-checkout: the checkout has no $dependency (run npm ci at its root)" >&2
    exit 2
  fi
  mkdir -p "$(dirname "node_modules/$dependency")"
  ln -sfn "$target" "node_modules/$dependency"
  echo "node_modules/$dependency -> $target"
done
