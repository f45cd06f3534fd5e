#!/usr/bin/env bash
# Installs what the tests need (npm ci for Azurite; skopeo, podman, docker-registry, chromium and zip from apt) and runs every test.
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
# Build once, then run the test projects one after another, each announced and timed, so a long one shows it is alive.
start=$SECONDS
dotnet build ServerlessRegistry.sln -c Release --nologo -v quiet 2>&1 | tee -a "$log" || { echo "test: the build failed" >&2; exit 1; }
echo "test: built in $((SECONDS - start)) s"
for project in tests/*/; do
  name=$(basename "$project")
  grep -q '<IsTestProject>true</IsTestProject>' "$project$name.csproj" 2>/dev/null || continue
  echo "test: $name started"
  begin=$SECONDS
  # The pipeline fails when dotnet test does (pipefail); the grep only trims what the terminal shows.
  if ! dotnet test "$project" -c Release --nologo --no-build "$@" 2>&1 | tee -a "$log" | { grep -E '^(Passed|Failed)!|\[FAIL\]|rror' || true; }; then
    status=1
  fi
  echo "test: $name finished in $((SECONDS - begin)) s"
done

# One closing line for the whole run, summed over the test assemblies.
awk '/(Passed|Failed)!  *- *Failed:/ {
       gsub(",", ""); for (i = 1; i <= NF; i++) { if ($i == "Failed:") f += $(i+1); if ($i == "Passed:") p += $(i+1); if ($i == "Skipped:") s += $(i+1) } }
     END { printf "tests: %d passed, %d failed, %d skipped\n", p, f, s }' "$log"
exit $status
