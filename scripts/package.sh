#!/usr/bin/env bash
# Builds the Functions deployment zip the way `azd deploy` does (framework-dependent `dotnet publish` of
# src/ServerlessRegistry.Functions; the zip holds the publish folder's contents), for deploying without azd:
#   az functionapp deployment source config-zip -g <group> -n <app> --src dist/registry.zip
# PACKAGE_OUT (dist/) chooses where the zip and its unpacked tree go.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"

out=${PACKAGE_OUT:-$root/dist}
app="$out/app"
zipfile="$out/registry.zip"

command -v dotnet >/dev/null || { echo "package: dotnet is required (see README)" >&2; exit 1; }
command -v zip >/dev/null || { echo "package: 'zip' is required (apt-get install zip)" >&2; exit 1; }

rm -rf "$app" "$zipfile"
dotnet publish src/ServerlessRegistry.Functions/ServerlessRegistry.Functions.csproj -c Release --nologo -v quiet -o "$app"
(cd "$app" && zip -q -r -X "$zipfile" .)
echo "package: $zipfile ($(du -h "$zipfile" | cut -f1))"
