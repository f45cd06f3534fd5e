#!/usr/bin/env bash
# Installs what the tests run besides .NET (Debian packages), when missing: the real OCI clients the interop
# tests drive, and zip for the deploy package the deploy tests build.
set -euo pipefail
missing=()
for tool in skopeo podman zip; do command -v "$tool" >/dev/null || missing+=("$tool"); done
[ ${#missing[@]} -eq 0 ] && exit 0
sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq "${missing[@]}" >/dev/null
