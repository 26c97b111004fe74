#!/usr/bin/env bash
# The publish workflow's pull-request job (.github/workflows/publish.yml) as a script:
#   1. `publish --check --json`: what merging would regenerate (not a failure: the
#      push job commits it) and what is wrong (a failure: errors in catalogs or
#      content stop the script, with the file and line);
#   2. a preview of the site as it will be published, in $CI_OUT/preview;
#   3. $CI_OUT/summary.md, small enough for a pull-request comment.
# Environment: PIPELINE (default .venv/bin/pipeline), CI_OUT (default ci-out).
set -euo pipefail
cd "$(dirname "$0")/../.."
pipeline="${PIPELINE:-.venv/bin/pipeline}"
out="${CI_OUT:-ci-out}"
mkdir -p "$out"

status=0
"$pipeline" publish --check --json >"$out/check.json" || status=$?
if [ ! -s "$out/check.json" ]; then
  echo "pull-request: publish --check stopped (exit ${status}); see the error above" >&2
  exit 1
fi
python3 scripts/ci/summary.py --check "$out/check.json" >"$out/summary.md"
errors="$(python3 -c 'import json, sys; print(len(json.load(open(sys.argv[1]))["errors"]))' "$out/check.json")"
if [ "$errors" != 0 ]; then
  echo "pull-request: ${errors} errors in catalogs (listed above and in the summary)" >&2
  exit 1
fi

"$pipeline" publish --quiet --output "$out/preview" --json >"$out/preview.json"
echo "pull-request: preview in ${out}/preview; summary in ${out}/summary.md"
