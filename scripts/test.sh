#!/usr/bin/env bash
# Installs what the tests need (npm ci for Azurite; skopeo, podman, docker-registry, chromium and zip from apt) and runs every test.
# Extra arguments go to dotnet test (e.g. --filter FullyQualifiedName~Manifest). TEST_LANES sets how many projects run at once (2).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"

for tool in dotnet node npm; do
  command -v "$tool" >/dev/null || { echo "test: $tool is required (see README)" >&2; exit 1; }
done
# The suite is short-lived processes (the build, one test host per project, command-line runs in them): dynamic PGO's
# instrumentation never pays off there. Off, a test host spends about a seventh less CPU, on a machine the run keeps busy.
export DOTNET_TieredPGO=0
logs=$(mktemp -d)
trap 'rm -rf "$logs"' EXIT
# Azurite's npm install waits on the network and the disk, not the CPU: it runs beside the apt checks and the build.
scripts/lib/ensure-node-modules.sh > "$logs/npm.out" 2>&1 &
npm_install=$!
scripts/lib/ensure-clients.sh
status=0
# Build once, then run the test projects two at a time (most wait on storage, clients and browsers, not the CPU), longest
# first so the two lanes end together. Each project is announced and timed, so a long one shows it is alive; its output is
# kept apart and shown trimmed when it ends.
start=$SECONDS
dotnet build ServerlessRegistry.sln -c Release --nologo -v quiet 2>&1 | tee "$logs/build.log" || { echo "test: the build failed" >&2; exit 1; }
echo "test: built in $((SECONDS - start)) s"
wait "$npm_install" || { cat "$logs/npm.out" >&2; echo "test: installing Azurite (npm ci) failed" >&2; exit 1; }
cat "$logs/npm.out"
lanes=${TEST_LANES:-2}
longest_first="Web Maintenance Api Mirror Interop Events Core Auth Deploy Policies Storage"
projects=()
for name in $longest_first; do [[ -d "tests/ServerlessRegistry.$name.Tests" ]] && projects+=("tests/ServerlessRegistry.$name.Tests/"); done
for project in tests/*/; do [[ " ${projects[*]} " == *" $project "* ]] || projects+=("$project"); done

run_project() {
  local project=$1 name begin result=0
  name=$(basename "$project")
  begin=$SECONDS
  echo "test: $name started"
  dotnet test "$project" -c Release --nologo --no-build "${@:2}" > "$logs/$name.log" 2>&1 || result=1
  # A failure shows its message and the top of its stack, so a run that fails once can be read after the fact.
  awk '/\[FAIL\]/ { print; lines = 0; shown = 0; stack = 0; failing = 1; next }
       failing && /^ *Stack Trace:/ { stack = 1 }
       failing { print; if (stack && ++shown > 8 || !stack && ++lines > 40) failing = 0; next }
       /^(Passed|Failed)!|rror/ { print }' "$logs/$name.log"
  echo "test: $name finished in $((SECONDS - begin)) s"
  return $result
}

running=0
for project in "${projects[@]}"; do
  name=$(basename "$project")
  grep -q '<IsTestProject>true</IsTestProject>' "$project$name.csproj" 2>/dev/null || continue
  if (( running >= lanes )); then
    wait -n || status=1
    running=$((running - 1))
  fi
  run_project "$project" "$@" &
  running=$((running + 1))
done
while (( running > 0 )); do
  wait -n || status=1
  running=$((running - 1))
done

# One closing line for the whole run, summed over the test assemblies.
cat "$logs"/*.log | awk '/(Passed|Failed)!  *- *Failed:/ {
       gsub(",", ""); for (i = 1; i <= NF; i++) { if ($i == "Failed:") f += $(i+1); if ($i == "Passed:") p += $(i+1); if ($i == "Skipped:") s += $(i+1) } }
     END { printf "tests: %d passed, %d failed, %d skipped\n", p, f, s }'
exit $status
