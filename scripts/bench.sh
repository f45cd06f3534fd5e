#!/usr/bin/env bash
# Runs the benchmark harness (bench/ServerlessRegistry.Bench) and prints the results table.
# Publishes the registry and an empty ASP.NET Core app the same way (ReadyToRun, linux-x64, framework-dependent)
# into artifacts/bench/, installs what is missing (Azurite via npm, skopeo, Debian's docker-registry for the peer),
# and lets the harness start and stop Azurite, the registry and the peer. Writes bench/RESULTS.md.
#   --quick      small sizes, about a minute, for checking the harness; writes no results page
#   --no-peer    skip figure 11 (the CNCF distribution comparison)
#   --results P  write the results page to P instead (with --quick too)
#   --only a,b   run only the figure groups whose names contain a or b (push, pull, peer, mirror, ...); with it, no
#                results page is written unless --results is given (a partial table must not replace RESULTS.md)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"

quick=0
peer=1
results=bench/RESULTS.md
only=""
while [ $# -gt 0 ]; do
  case "$1" in
    --quick) quick=1; results="" ;;
    --no-peer) peer=0 ;;
    --results) results=$2; shift ;;
    --only) only=$2; [ "$results" = bench/RESULTS.md ] && results=""; shift ;;
    *) echo "bench: unknown argument $1" >&2; exit 2 ;;
  esac
  shift
done

for tool in dotnet node npm; do
  command -v "$tool" >/dev/null || { echo "bench: $tool is required (see README)" >&2; exit 1; }
done
scripts/lib/ensure-node-modules.sh
scripts/lib/ensure-clients.sh
if [ "$peer" -eq 1 ] && [ ! -x /usr/bin/docker-registry ]; then
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  # Debian's package of CNCF distribution 2.8.2. The harness runs its own copy on a free port with a temp folder.
  DEBIAN_FRONTEND=noninteractive $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends docker-registry >/dev/null
fi

out="$root/artifacts/bench"
publish() {
  # Both apps are published identically, so the cold-start ratio compares the programs, not the publishing.
  dotnet publish "$1" -c Release -r linux-x64 --self-contained false -p:PublishReadyToRun=true \
    --artifacts-path "$out/build" -o "$out/$2" -nologo -v quiet
}
echo "bench: publishing the registry and the empty app (ReadyToRun) into artifacts/bench/"
publish src/ServerlessRegistry registry
publish bench/EmptyApp empty
dotnet build bench/ServerlessRegistry.Bench -c Release --artifacts-path "$out/build" -nologo -v quiet

args=(--registry "$out/registry/ServerlessRegistry" --empty-app "$out/empty/EmptyApp")
[ "$quick" -eq 1 ] && args+=(--quick)
[ "$peer" -eq 1 ] && args+=(--peer)
[ -n "$only" ] && args+=(--only "$only")
[ -n "$results" ] && args+=(--results "$results")
echo "bench: machine load (1/5/15 min): $(cut -d' ' -f1-3 /proc/loadavg)"
exec dotnet "$out/build/bin/ServerlessRegistry.Bench/release/ServerlessRegistry.Bench.dll" "${args[@]}"
