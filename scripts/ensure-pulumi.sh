#!/usr/bin/env bash
# Makes the Pulumi CLI (pulumi, pulumi-language-nodejs, pulumi-resource-pulumi-nodejs) available
# at exactly the version of the pinned @pulumi/pulumi dev dependency, and prints the directory
# that holds the three executables on its last line of stdout. Progress goes to stderr.
#
# Order: already on PATH at that version -> per-user cache -> Pulumi's official installer ->
# build from the Go module proxy (when `go` is present). Idempotent: a warm run takes seconds.
set -euo pipefail

repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
say() { printf '[ensure-pulumi] %s\n' "$*" >&2; }
fail() { printf '[ensure-pulumi] error: %s\n' "$*" >&2; exit 1; }

version="${PULUMI_ANYPOINT_PULUMI_VERSION:-$(sed -n 's/.*"@pulumi\/pulumi": *"\([0-9][0-9.]*\)".*/\1/p' "$repo_root/package.json" | head -n 1)}"
[ -n "$version" ] || fail "cannot read the pinned @pulumi/pulumi version from package.json"

cache_root="${PULUMI_ANYPOINT_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/pulumi-anypoint}"
bin_dir="$cache_root/pulumi-v$version/bin"

# The dynamic-provider shim ships inside the @pulumi/pulumi npm package.
shim_source() {
  local candidate="$repo_root/node_modules/@pulumi/pulumi/cmd/dynamic-provider/pulumi-resource-pulumi-nodejs"
  [ -f "$candidate" ] || candidate="$repo_root/node_modules/@pulumi/pulumi/pulumi-resource-pulumi-nodejs"
  [ -f "$candidate" ] || fail "the pulumi-resource-pulumi-nodejs shim is missing from node_modules/@pulumi/pulumi: run npm install first"
  printf '%s' "$candidate"
}

reports_version() { # dir -> true when <dir>/pulumi prints v$version and its siblings exist
  local dir="$1"
  [ -x "$dir/pulumi" ] && [ -x "$dir/pulumi-language-nodejs" ] || return 1
  [ "$("$dir/pulumi" version 2>/dev/null)" = "v$version" ]
}

install_shim() {
  local target="$bin_dir/pulumi-resource-pulumi-nodejs" src
  src="$(shim_source)"
  if ! cmp -s "$src" "$target" 2>/dev/null; then
    cp "$src" "$target.tmp.$$" && chmod +x "$target.tmp.$$" && mv -f "$target.tmp.$$" "$target"
  fi
}

# 1. Already on PATH at the pinned version.
if on_path="$(command -v pulumi 2>/dev/null)"; then
  path_dir="$(dirname "$on_path")"
  if reports_version "$path_dir" && [ -x "$path_dir/pulumi-resource-pulumi-nodejs" ]; then
    printf '%s\n' "$path_dir"
    exit 0
  fi
fi

# 2. The per-user cache, shared by every clone on this machine.
if reports_version "$bin_dir"; then
  install_shim
  printf '%s\n' "$bin_dir"
  exit 0
fi

mkdir -p "$bin_dir"
lock="$cache_root/.lock-v$version"
exec 9>"$lock"
if command -v flock >/dev/null 2>&1; then
  if ! flock -n 9; then
    say "another build of Pulumi v$version is running; waiting for it to finish"
    flock 9
  fi
  if reports_version "$bin_dir"; then install_shim; printf '%s\n' "$bin_dir"; exit 0; fi
fi

# 3. Pulumi's official installer (works on a machine that reaches get.pulumi.com).
try_official_installer() {
  command -v curl >/dev/null 2>&1 || return 1
  local staging
  staging="$(mktemp -d)"
  say "trying Pulumi's official installer for v$version"
  if curl -fsSL --connect-timeout 10 --max-time 60 https://get.pulumi.com -o "$staging/install.sh" 2>/dev/null &&
    sh "$staging/install.sh" --version "$version" --install-root "$staging/root" --no-edit-path >&2 2>&1 &&
    reports_version "$staging/root/bin"; then
    cp "$staging/root/bin/pulumi" "$staging/root/bin/pulumi-language-nodejs" "$bin_dir/"
    rm -rf "$staging"
    return 0
  fi
  rm -rf "$staging"
  say "the official installer is not reachable from here"
  return 1
}

# 4. Build both Go programs from the Go module proxy. pkg/go.mod has replace directives, so
#    `go install ...@version` refuses; a throwaway wrapper module repeats them.
build_from_go_proxy() {
  command -v go >/dev/null 2>&1 || fail "Pulumi v$version is not installed, the official installer is unreachable, and there is no Go toolchain to build it. Install Pulumi v$version (https://www.pulumi.com/docs/install/) or Go >= 1.22."
  export GOFLAGS="-mod=mod"
  # The checksum database has no entry for these untagged or proxy-only module versions; the
  # proxy's own hashes still apply. Anything else stays verified.
  export GONOSUMDB="${GONOSUMDB:+$GONOSUMDB,}github.com/pulumi/pulumi"
  local pkg_json hash commit_time pseudo work
  say "building Pulumi v$version from the Go module proxy (first time only; several minutes on 2 cores)"
  pkg_json="$(go list -m -json "github.com/pulumi/pulumi/pkg/v3@v$version" 2>&1)" ||
    fail "the Go module proxy cannot serve github.com/pulumi/pulumi/pkg/v3@v$version: $pkg_json"
  # The language host module is untagged: derive the pseudo-version of the release commit.
  hash="$(printf '%s' "$pkg_json" | sed -n 's/.*"Hash": *"\([0-9a-f]*\)".*/\1/p' | head -n 1)"
  commit_time="$(printf '%s' "$pkg_json" | sed -n 's/.*"Time": *"\([^"]*\)".*/\1/p' | head -n 1)"
  [ -n "$hash" ] && [ -n "$commit_time" ] || fail "the Go module proxy gave no commit for pkg/v3@v$version"
  pseudo="v3.0.0-$(date -u -d "$commit_time" +%Y%m%d%H%M%S)-${hash:0:12}"

  work="$(mktemp -d)"
  trap 'rm -rf "$work"' RETURN
  cat >"$work/go.mod" <<EOF
module pulumi-anypoint/pulumi-cli-build

go 1.22

replace (
	github.com/atotto/clipboard => github.com/tgummerer/clipboard v0.0.0-20241001131231-d02d263e614e
	github.com/sergi/go-diff => github.com/sergi/go-diff v1.1.0
	github.com/xanzy/ssh-agent => github.com/pulumi/ssh-agent v0.5.1
)
EOF
  (
    cd "$work"
    say "resolving modules (pkg v$version, sdk v$version, language host $pseudo)"
    go get "github.com/pulumi/pulumi/pkg/v3@v$version" "github.com/pulumi/pulumi/sdk/v3@v$version" \
      "github.com/pulumi/pulumi/sdk/nodejs/cmd/pulumi-language-nodejs/v3@$pseudo" >&2 ||
      fail "go get failed for Pulumi v$version (language host $pseudo); see the messages above"
    local ldflags="-s -w -X github.com/pulumi/pulumi/sdk/v3/go/common/version.Version=v$version"
    say "compiling pulumi"
    go build -trimpath -tags osusergo,grpcnotrace -ldflags "$ldflags" -o "$bin_dir/pulumi.tmp" \
      github.com/pulumi/pulumi/pkg/v3/cmd/pulumi >&2 || fail "go build of the pulumi CLI failed"
    say "compiling pulumi-language-nodejs"
    go build -trimpath -tags osusergo,grpcnotrace -ldflags "$ldflags" -o "$bin_dir/pulumi-language-nodejs.tmp" \
      github.com/pulumi/pulumi/sdk/nodejs/cmd/pulumi-language-nodejs/v3 >&2 || fail "go build of pulumi-language-nodejs failed"
  ) || exit 1
  mv -f "$bin_dir/pulumi.tmp" "$bin_dir/pulumi"
  mv -f "$bin_dir/pulumi-language-nodejs.tmp" "$bin_dir/pulumi-language-nodejs"
}

if [ "${PULUMI_ANYPOINT_SKIP_INSTALLER:-}" != "1" ] && try_official_installer; then
  :
else
  build_from_go_proxy
fi
install_shim
reports_version "$bin_dir" || fail "the Pulumi CLI in $bin_dir does not report v$version"
say "Pulumi v$version ready in $bin_dir"
printf '%s\n' "$bin_dir"
