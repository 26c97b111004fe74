#!/usr/bin/env bash
# Set up (see setup.sh) and publish the bundled articles with the configured engines.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
.venv/bin/pipeline publish "$@"
