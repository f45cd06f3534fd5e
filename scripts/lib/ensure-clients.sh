#!/usr/bin/env bash
# Installs what the tests run besides .NET (Debian packages), when missing: the real OCI clients the interop
# tests drive, CNCF distribution (docker-registry) as the mirror's upstream and the benchmark's peer, zip for the deploy package the deploy tests build, and Debian's Chromium for the browser tests
# (Playwright drives /usr/bin/chromium; it never downloads a browser of its own).
set -euo pipefail
missing=()
for tool in skopeo podman zip docker-registry; do command -v "$tool" >/dev/null || missing+=("$tool"); done
browser=()
[ -x /usr/bin/chromium ] || browser+=(chromium)
[ ${#missing[@]} -eq 0 ] && [ ${#browser[@]} -eq 0 ] && exit 0
sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
[ ${#missing[@]} -eq 0 ] || $sudo apt-get install -y -qq "${missing[@]}" >/dev/null
# Chromium's recommended packages (desktop daemons, printing) are of no use to a headless browser.
[ ${#browser[@]} -eq 0 ] || $sudo apt-get install -y -qq --no-install-recommends "${browser[@]}" >/dev/null
