#!/usr/bin/env bash
# Installs the pinned npm tools (Azurite) unless node_modules already holds the version package-lock.json pins.
# (Reinstalling while an Azurite from node_modules runs would fail, so an up-to-date tree is left alone.)
set -euo pipefail
cd "$(dirname "$0")/../.."
pinned=$(node -p "require('./package-lock.json').packages['node_modules/azurite'].version")
installed=$(node -p "try { require('./node_modules/azurite/package.json').version } catch { '' }")
if [ "$pinned" != "$installed" ] || [ ! -x node_modules/.bin/azurite ]; then
  npm ci --no-audit --no-fund --loglevel=error
fi
