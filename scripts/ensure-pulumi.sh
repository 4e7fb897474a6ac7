#!/usr/bin/env bash
# The checkout's Pulumi CLI (pulumi, pulumi-language-nodejs, pulumi-resource-pulumi-nodejs) for
# its tests, demo and benchmarks. Prints the directory that holds the three executables on the
# last line of stdout; progress and errors go to stderr, each error one sentence that says what
# is missing and what to do.
#
# A development tool only: it is not in the published package, which uses whatever `pulumi` the
# user has on PATH.
#
#   PULUMI_ANYPOINT_PULUMI_VERSION  a version listed in scripts/pulumi-pins.tsv (default: its first
#                                   row, the newest the Go module proxy serves)
#   PULUMI_ANYPOINT_CACHE           where builds are kept (default ~/.cache/pulumi-anypoint)
#
# Order: a `pulumi` on PATH at exactly that version -> the cache -> a build from the Go module
# proxy with every module version pinned in scripts/pulumi-pins.tsv (nothing is derived from
# optional proxy metadata). Idempotent; a warm run takes well under a second.
set -euo pipefail

repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
pins_file="$repo_root/scripts/pulumi-pins.tsv"
say() { printf '[ensure-pulumi] %s\n' "$*" >&2; }
fail() { printf '[ensure-pulumi] error: %s\n' "$*" >&2; exit 1; }

[ -f "$pins_file" ] || fail "scripts/pulumi-pins.tsv is missing: restore it from git (git checkout -- scripts/pulumi-pins.tsv)."
version="${PULUMI_ANYPOINT_PULUMI_VERSION:-$(grep -v '^#' "$pins_file" | head -n 1 | cut -f1)}"
row="$(awk -F'\t' -v v="$version" '!/^#/ && $1 == v' "$pins_file")"
[ -n "$row" ] || fail "Pulumi $version has no row in scripts/pulumi-pins.tsv: use one of $(grep -v '^#' "$pins_file" | cut -f1 | paste -sd' ') or add a row for it."
IFS=$'\t' read -r _ go_directive replaces host_version host_pulumi host_sums <<<"$row"
host_row="$(awk -F'\t' -v v="$host_pulumi" '!/^#/ && $1 == v' "$pins_file")"
[ -n "$host_row" ] || fail "scripts/pulumi-pins.tsv builds the language host against Pulumi $host_pulumi, which has no row of its own: add one."
IFS=$'\t' read -r _ host_go host_replaces _ <<<"$host_row"

cache_root="${PULUMI_ANYPOINT_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/pulumi-anypoint}"
bin_dir="$cache_root/pulumi-v$version/bin"
stamp="$bin_dir/.pins" # the pins row a build was made from: a changed row means a rebuild

# The dynamic-provider shim ships inside the @pulumi/pulumi npm package this checkout installed.
install_shim() {
  local src="$repo_root/node_modules/@pulumi/pulumi/pulumi-resource-pulumi-nodejs" target="$1/pulumi-resource-pulumi-nodejs"
  [ -f "$src" ] || src="$repo_root/node_modules/@pulumi/pulumi/cmd/dynamic-provider/pulumi-resource-pulumi-nodejs"
  [ -f "$src" ] || fail "node_modules/@pulumi/pulumi has no pulumi-resource-pulumi-nodejs shim: run ./dev.sh setup (or npm ci) first."
  if ! cmp -s "$src" "$target" 2>/dev/null; then
    cp "$src" "$target.tmp.$$" && chmod +x "$target.tmp.$$" && mv -f "$target.tmp.$$" "$target"
  fi
}

reports_version() { # dir -> true when <dir>/pulumi prints v$version and the language host is beside it
  [ -x "$1/pulumi" ] && [ -x "$1/pulumi-language-nodejs" ] && [ "$("$1/pulumi" version 2>/dev/null)" = "v$version" ]
}

cached() { reports_version "$bin_dir" && [ "$(cat "$stamp" 2>/dev/null)" = "$row" ]; }

# 1. A pulumi on PATH at exactly this version (with its language host and the shim beside it).
if on_path="$(command -v pulumi 2>/dev/null)"; then
  path_dir="$(dirname "$on_path")"
  if reports_version "$path_dir" && [ -x "$path_dir/pulumi-resource-pulumi-nodejs" ]; then
    printf '%s\n' "$path_dir"
    exit 0
  fi
fi

# 2. The cache, shared by every clone on this machine.
if cached; then
  install_shim "$bin_dir"
  printf '%s\n' "$bin_dir"
  exit 0
fi

# 3. Build from the Go module proxy.
command -v go >/dev/null 2>&1 || fail "Go is not installed and Pulumi v$version is not in $bin_dir: install Go >= $go_directive (https://go.dev/dl/) or put pulumi v$version with pulumi-language-nodejs on PATH."
go_version="$(go env GOVERSION)"
go_version="${go_version#go}"
if [ "$(printf '%s\n%s\n' "$go_directive" "$go_version" | sort -V | head -n 1)" != "$go_directive" ] && [ "$(go env GOTOOLCHAIN)" = "local" ]; then
  fail "building Pulumi v$version needs Go >= $go_directive and this is Go $go_version with GOTOOLCHAIN=local: install a newer Go or unset GOTOOLCHAIN so Go fetches go$go_directive from the module proxy."
fi

mkdir -p "$bin_dir"
exec 9>"$cache_root/.lock-v$version"
if command -v flock >/dev/null 2>&1 && ! flock -n 9; then
  say "another build of Pulumi v$version is running; waiting for it to finish"
  flock 9
fi
if cached; then install_shim "$bin_dir"; printf '%s\n' "$bin_dir"; exit 0; fi

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
host_module="github.com/pulumi/pulumi/sdk/nodejs/cmd/pulumi-language-nodejs/v3"

# wrapper DIR GO_DIRECTIVE REPLACES: a throwaway module; pkg/v3's own go.mod has replace
# directives, so `go install ...@version` refuses and the replaces are repeated here.
wrapper() {
  mkdir -p "$1"
  {
    printf 'module pulumi-anypoint/pulumi-cli-build\n\ngo %s\n\nreplace (\n' "$2"
    IFS=',' read -r -a pairs <<<"$3"
    for pair in "${pairs[@]}"; do
      printf '\t%s => %s\n' "${pair%%=*}" "$(printf '%s' "${pair#*=}" | sed 's/@/ /')"
    done
    printf ')\n'
  } >"$1/go.mod"
}

# build DIR OUTPUT PACKAGE STAMP MODULE@VERSION...: resolves exactly the pinned versions, then
# compiles, stamping the version the program reports.
build() {
  local dir="$1" output="$2" package="$3" stamp_version="$4"
  shift 4
  (
    cd "$dir"
    export GOFLAGS="${GOFLAGS:+$GOFLAGS }-mod=mod"
    go get "$@" >&2 ||
      fail "the Go module proxy did not serve the modules pinned for Pulumi v$version (messages above): check that GOPROXY ($(go env GOPROXY)) is reachable, or put pulumi v$version on PATH."
    say "compiling $(basename "$output" .tmp)"
    go build -trimpath -tags osusergo,grpcnotrace \
      -ldflags "-s -w -X github.com/pulumi/pulumi/sdk/v3/go/common/version.Version=v$stamp_version" \
      -o "$output" "$package" >&2 || fail "go build of $package failed (messages above)."
  ) || exit 1
}

say "building Pulumi v$version from the Go module proxy (first time only; 5 to 15 minutes on 2 cores)"
started=$SECONDS
wrapper "$work/cli" "$go_directive" "$replaces"
build "$work/cli" "$bin_dir/pulumi.tmp" github.com/pulumi/pulumi/pkg/v3/cmd/pulumi "$version" \
  "github.com/pulumi/pulumi/pkg/v3@v$version" "github.com/pulumi/pulumi/sdk/v3@v$version"
# The language host is built against its own release's pkg and sdk: it does not compile against newer ones.
wrapper "$work/host" "$host_go" "$host_replaces"
printf '%s %s %s\n%s %s/go.mod %s\n' "$host_module" "$host_version" "${host_sums%%,*}" \
  "$host_module" "$host_version" "${host_sums#*,}" >"$work/host/go.sum"
build "$work/host" "$bin_dir/pulumi-language-nodejs.tmp" "$host_module" "$host_pulumi" \
  "github.com/pulumi/pulumi/pkg/v3@v$host_pulumi" "github.com/pulumi/pulumi/sdk/v3@v$host_pulumi" \
  "$host_module@$host_version"
mv -f "$bin_dir/pulumi.tmp" "$bin_dir/pulumi"
mv -f "$bin_dir/pulumi-language-nodejs.tmp" "$bin_dir/pulumi-language-nodejs"
reports_version "$bin_dir" || fail "the pulumi built in $bin_dir does not report v$version: delete $bin_dir and run again."
printf '%s\n' "$row" >"$stamp"
install_shim "$bin_dir"
say "Pulumi v$version ready in $bin_dir (built in $((SECONDS - started)) s)"
printf '%s\n' "$bin_dir"
