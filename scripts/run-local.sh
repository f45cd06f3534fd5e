#!/usr/bin/env bash
# Runs the registry on http://127.0.0.1:$REGISTRY_PORT against a local Azurite, installing what is missing.
#   REGISTRY_PORT (5000), AZURITE_BLOB_PORT (10000), AZURITE_TABLE_PORT (10002) choose the ports, so two copies
#   can run side by side. Azurite keeps its data in .azurite/<blob port>/ (git-ignored). Ctrl-C stops both.
#   --auth turns sign-in on (Auth:Enabled=true) and prints how to create an access token.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"

REGISTRY_PORT=${REGISTRY_PORT:-5000}
AZURITE_BLOB_PORT=${AZURITE_BLOB_PORT:-10000}
AZURITE_TABLE_PORT=${AZURITE_TABLE_PORT:-10002}
ACCOUNT=devstoreaccount1
# The emulator's well-known development key (public; it only opens the local emulator).
KEY='Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw=='
auth=false
if [[ "${1:-}" == "--auth" ]]; then auth=true; shift; export Auth__Enabled=true; fi

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
node_modules/.bin/azurite-table --tableHost 127.0.0.1 --tablePort "$AZURITE_TABLE_PORT" --location "$data" --silent --disableTelemetry &
pids+=($!)

dotnet build src/ServerlessRegistry -c Release -nologo -v quiet
export REGISTRY_PORT
export Storage__AccountName=$ACCOUNT Storage__AccountKey=$KEY
export Storage__BlobEndpoint="http://127.0.0.1:$AZURITE_BLOB_PORT/$ACCOUNT"
export Storage__TableEndpoint="http://127.0.0.1:$AZURITE_TABLE_PORT/$ACCOUNT"
dotnet src/ServerlessRegistry/bin/Release/net10.0/ServerlessRegistry.dll "$@" &
pids+=($!)

for _ in $(seq 1 300); do
  # With auth on, /v2/ answers 401: any HTTP answer means ready.
  if curl -sS -o /dev/null "http://127.0.0.1:$REGISTRY_PORT/" 2>/dev/null; then
    echo "Registry ready at http://127.0.0.1:$REGISTRY_PORT (Azurite blob :$AZURITE_BLOB_PORT, table :$AZURITE_TABLE_PORT). Ctrl-C stops it."
    if $auth; then
      echo "Auth is on. Create an access token (the password is printed once), then sign in with it:"
      echo "  Storage__AccountName=$ACCOUNT Storage__AccountKey='$KEY' \\"
      echo "  Storage__TableEndpoint=$Storage__TableEndpoint Storage__BlobEndpoint=$Storage__BlobEndpoint \\"
      echo "  dotnet src/ServerlessRegistry/bin/Release/net10.0/ServerlessRegistry.dll token create --name dev --repository '*' --actions pull,push,delete --expires 1d"
      echo "  podman login --tls-verify=false -u dev 127.0.0.1:$REGISTRY_PORT"
    fi
    break
  fi
  for pid in "${pids[@]}"; do kill -0 "$pid" 2>/dev/null || { echo "run-local: a process exited during start-up" >&2; exit 1; }; done
  sleep 0.1
done
wait -n "${pids[@]}"
