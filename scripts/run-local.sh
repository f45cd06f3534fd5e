#!/usr/bin/env bash
# Runs the registry on http://127.0.0.1:$REGISTRY_PORT against a local Azurite, installing what is missing.
usage() {
  cat <<'HELP'
Usage: scripts/run-local.sh [--auth] [--help] [--Section:Key=value ...]

Runs Azurite and the registry on loopback until Ctrl-C, installing Azurite (npm ci) if it is missing.
  --auth                  turn sign-in on (Auth:Enabled=true) and print how to create an access token
  --Section:Key=value     any other registry setting (see the README's configuration tables)
  -h, --help              this help
Environment:
  REGISTRY_PORT (5000), AZURITE_BLOB_PORT (10000), AZURITE_QUEUE_PORT (10001), AZURITE_TABLE_PORT (10002) choose
  the ports, so two copies can run side by side. Azurite keeps its data in .azurite/<blob port>/ (git-ignored).
HELP
}
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"

REGISTRY_PORT=${REGISTRY_PORT:-5000}
AZURITE_BLOB_PORT=${AZURITE_BLOB_PORT:-10000}
AZURITE_QUEUE_PORT=${AZURITE_QUEUE_PORT:-10001}
AZURITE_TABLE_PORT=${AZURITE_TABLE_PORT:-10002}
# The command line's defaults for "no Storage settings" (src/ServerlessRegistry/Cli/LocalEmulator.cs) match these.
ACCOUNT=devstoreaccount1
# The emulator's well-known development key (public; it only opens the local emulator).
KEY='Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw=='
auth=false
settings=()
for arg in "$@"; do
  case "$arg" in
    --auth) auth=true; export Auth__Enabled=true ;;
    -h|--help) usage; exit 0 ;;
    --*:*) settings+=("$arg") ;;
    *) echo "run-local: unknown argument '$arg' (see --help)" >&2; exit 2 ;;
  esac
done

# Before anything slow: a port in use means another copy (or something else) is running.
for port in "$REGISTRY_PORT" "$AZURITE_BLOB_PORT" "$AZURITE_QUEUE_PORT" "$AZURITE_TABLE_PORT"; do
  listening=$(ss -Hltnp "sport = :$port" 2>/dev/null || true)
  if [[ -n $listening ]]; then
    holder=$(grep -o 'users:(("[^"]*",pid=[0-9]*' <<<"$listening" | head -n1 | sed 's/users:(("\(.*\)",pid=\(.*\)/\1 (pid \2)/' || true)
    echo "run-local: port $port is in use${holder:+ by $holder}; stop it, or choose other ports with REGISTRY_PORT, AZURITE_BLOB_PORT, AZURITE_QUEUE_PORT and AZURITE_TABLE_PORT." >&2
    exit 1
  fi
done

for tool in dotnet node npm curl; do
  command -v "$tool" >/dev/null || { echo "run-local: $tool is required (see README)" >&2; exit 1; }
done
scripts/lib/ensure-node-modules.sh

data="$root/.azurite/$AZURITE_BLOB_PORT"
mkdir -p "$data"
pids=()
stop() {
  trap - INT TERM EXIT
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
}
trap stop EXIT
trap 'stop; exit 130' INT
trap 'stop; exit 143' TERM

node_modules/.bin/azurite-blob --blobHost 127.0.0.1 --blobPort "$AZURITE_BLOB_PORT" --location "$data" --silent --disableTelemetry &
pids+=($!)
# The queue service carries the events feature's deliveries.
node_modules/.bin/azurite-queue --queueHost 127.0.0.1 --queuePort "$AZURITE_QUEUE_PORT" --location "$data" --silent --disableTelemetry &
pids+=($!)
node_modules/.bin/azurite-table --tableHost 127.0.0.1 --tablePort "$AZURITE_TABLE_PORT" --location "$data" --silent --disableTelemetry &
pids+=($!)

dotnet build src/ServerlessRegistry -c Release -nologo -v quiet
export REGISTRY_PORT
export Storage__AccountName=$ACCOUNT Storage__AccountKey=$KEY
export Storage__BlobEndpoint="http://127.0.0.1:$AZURITE_BLOB_PORT/$ACCOUNT"
export Storage__TableEndpoint="http://127.0.0.1:$AZURITE_TABLE_PORT/$ACCOUNT"
export Storage__QueueEndpoint="http://127.0.0.1:$AZURITE_QUEUE_PORT/$ACCOUNT"
dotnet src/ServerlessRegistry/bin/Release/net10.0/ServerlessRegistry.dll "${settings[@]}" &
pids+=($!)

for _ in $(seq 1 300); do
  # With auth on, /v2/ answers 401: any HTTP answer means ready.
  if curl -sS -o /dev/null "http://127.0.0.1:$REGISTRY_PORT/" 2>/dev/null; then
    echo "Registry ready at http://127.0.0.1:$REGISTRY_PORT (Azurite blob :$AZURITE_BLOB_PORT, queue :$AZURITE_QUEUE_PORT, table :$AZURITE_TABLE_PORT). Ctrl-C stops it."
    if $auth; then
      echo "Auth is on. Create an access token (the password is printed once), then sign in with it:"
      if [[ $AZURITE_BLOB_PORT != 10000 || $AZURITE_QUEUE_PORT != 10001 || $AZURITE_TABLE_PORT != 10002 ]]; then
        echo "  export Storage__AccountName=$ACCOUNT Storage__AccountKey='$KEY' Storage__BlobEndpoint=$Storage__BlobEndpoint Storage__TableEndpoint=$Storage__TableEndpoint Storage__QueueEndpoint=$Storage__QueueEndpoint"
      fi
      echo "  scripts/registry token create --name dev --repository '*' --actions pull,push,delete --expires 1d"
      echo "  podman login --tls-verify=false -u dev 127.0.0.1:$REGISTRY_PORT"
    fi
    break
  fi
  for pid in "${pids[@]}"; do kill -0 "$pid" 2>/dev/null || { echo "run-local: a process exited during start-up" >&2; exit 1; }; done
  sleep 0.1
done
wait -n "${pids[@]}"
