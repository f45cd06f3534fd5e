#!/usr/bin/env bash
# Installs the real OCI clients the interop tests drive (Debian packages), when they are missing.
set -euo pipefail
missing=()
for tool in skopeo podman; do command -v "$tool" >/dev/null || missing+=("$tool"); done
[ ${#missing[@]} -eq 0 ] && exit 0
sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq "${missing[@]}" >/dev/null
