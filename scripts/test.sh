#!/usr/bin/env bash
# Installs what the tests need (npm ci for Azurite; skopeo, podman and zip from apt) and runs every test.
# Extra arguments go to dotnet test (e.g. --filter FullyQualifiedName~Manifest).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"

for tool in dotnet node npm; do
  command -v "$tool" >/dev/null || { echo "test: $tool is required (see README)" >&2; exit 1; }
done
scripts/lib/ensure-node-modules.sh
scripts/lib/ensure-clients.sh

log=$(mktemp)
trap 'rm -f "$log"' EXIT
status=0
dotnet test ServerlessRegistry.sln -c Release --nologo "$@" 2>&1 | tee "$log" || status=$?

# One closing line for the whole run, summed over the test assemblies.
awk '/(Passed|Failed)!  *- *Failed:/ {
       gsub(",", ""); for (i = 1; i <= NF; i++) { if ($i == "Failed:") f += $(i+1); if ($i == "Passed:") p += $(i+1); if ($i == "Skipped:") s += $(i+1) } }
     END { printf "tests: %d passed, %d failed, %d skipped\n", p, f, s }' "$log"
exit $status
