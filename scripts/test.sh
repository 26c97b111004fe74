#!/usr/bin/env bash
# Set up with test tools (see setup.sh), lint, type-check, and run the whole test suite.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh --test
.venv/bin/ruff check pipeline tests scripts
.venv/bin/mypy  # the settings are in pyproject.toml
.venv/bin/python -m pytest "$@"
