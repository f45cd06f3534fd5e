#!/usr/bin/env bash
# Signs docker (or podman) in to the registry with your Entra ID identity, the way `az acr login` does for ACR.
#   scripts/login.sh <registry host> <API app ID URI or client id> [docker|podman]
# Gets an access token for the registry's API app with the az CLI and passes it to `<tool> login --password-stdin`
# under the null-GUID username. The registry turns it into its own refresh token, which lasts Auth:RefreshTokenLifetime
# (3 h by default); run this again after that. Needs: az (signed in: az login), and docker or podman.
set -euo pipefail
if [[ $# -lt 2 ]]; then
  echo "usage: $0 <registry host> <API app ID URI or client id> [docker|podman]" >&2
  exit 2
fi
host=$1
resource=$2
tool=${3:-$(command -v docker >/dev/null && echo docker || echo podman)}
command -v az >/dev/null || { echo "login: the az CLI is required (https://aka.ms/azcli)" >&2; exit 1; }
command -v "$tool" >/dev/null || { echo "login: $tool is not installed" >&2; exit 1; }

token=$(az account get-access-token --resource "$resource" --query accessToken --output tsv)
extra=()
# Plain HTTP only makes sense for a local registry.
case "$host" in 127.0.0.1:*|localhost:*) [[ "$tool" == podman ]] && extra+=(--tls-verify=false) ;; esac
printf '%s' "$token" | "$tool" login "${extra[@]}" --username 00000000-0000-0000-0000-000000000000 --password-stdin "$host"
