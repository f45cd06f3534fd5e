#!/usr/bin/env bash
# Builds the Azure Functions deployment package: dist/registry.zip holds host.json, one folder per function
# (function.json) and the self-contained linux-x64 ReadyToRun executable, with its executable bit kept.
#   PACKAGE_OUT (dist/) chooses where the zip and its unpacked tree go; PACKAGE_ARTIFACTS (artifacts/package/)
#   holds the intermediate build, so packaging never touches the bin/ and obj/ folders other builds use.
#   PACKAGE_TRIM (true) trims the self-contained publish; false ships the untrimmed framework (see README).
# Publish flags live here, not in the csproj, so ordinary builds and tests stay framework-dependent. Trim
# warnings are errors (Directory.Build.props), so a dependency that is not trim-safe fails packaging loudly.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"

out=${PACKAGE_OUT:-$root/dist}
artifacts=${PACKAGE_ARTIFACTS:-$root/artifacts/package}
app="$out/app"
zipfile="$out/registry.zip"
trim=${PACKAGE_TRIM:-true}

command -v dotnet >/dev/null || { echo "package: dotnet is required (see README)" >&2; exit 1; }
if ! command -v zip >/dev/null; then
  # zip keeps Unix mode bits (the host must be able to execute the handler); install it on Debian if missing.
  if command -v apt-get >/dev/null && [ "$(id -u)" = 0 ]; then
    apt-get update -qq >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq zip >/dev/null
  else
    echo "package: 'zip' is required (apt-get install zip)" >&2; exit 1
  fi
fi

rm -rf "$app" "$zipfile"
mkdir -p "$app"
dotnet publish src/ServerlessRegistry/ServerlessRegistry.csproj -c Release --nologo -v quiet \
  -r linux-x64 --self-contained true -p:PublishReadyToRun=true -p:PublishTrimmed="$trim" \
  --artifacts-path "$artifacts" -o "$app"

# The Web SDK copies Functions/**.json as content; the host wants each function folder at the root instead.
rm -rf "$app/Functions"
# The host reads host.json and the function folders from the package root, next to the executable.
cp host.json "$app/"
for dir in src/ServerlessRegistry/Functions/*/; do
  name=$(basename "$dir")
  mkdir -p "$app/$name"
  cp "$dir/function.json" "$app/$name/"
done
chmod 0755 "$app/ServerlessRegistry"
# Debug symbols are not needed to run and would double the package.
find "$app" -name '*.pdb' -delete

(cd "$app" && zip -q -r -X "$zipfile" .)
echo "package: $zipfile ($(du -h "$zipfile" | cut -f1))"
