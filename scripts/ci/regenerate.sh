#!/usr/bin/env bash
# The publish workflow's push job (.github/workflows/publish.yml) as a script, so
# that tests run exactly these steps on a scratch clone:
#   1. publish: merge catalogs, translate what is new, write pages to site/;
#   2. commit the regenerated catalogs, templates and pages back to the branch
#      (nothing changed: no commit);
#   3. leave site/ and a Markdown summary in $CI_OUT for the deploy and summary steps.
#
# Why a commit and not a pull request: what is committed is the pipeline's
# deterministic output for content that was reviewed when it was merged; machine
# drafts stay fuzzy in the catalogs until a translator approves them, so nothing
# unreviewed is presented as reviewed, and a pull request per content push would
# hold the site back for a review of machine output. Pushes made with the
# workflow's GITHUB_TOKEN do not start another workflow run.
#
# Environment: PIPELINE (default .venv/bin/pipeline), CI_OUT (default ci-out),
# BRANCH (default: GITHUB_REF_NAME, else the checked-out branch).
set -euo pipefail
cd "$(dirname "$0")/../.."
pipeline="${PIPELINE:-.venv/bin/pipeline}"
out="${CI_OUT:-ci-out}"
branch="${BRANCH:-${GITHUB_REF_NAME:-$(git rev-parse --abbrev-ref HEAD)}}"
mkdir -p "$out"

"$pipeline" publish --json >"$out/publish.json"
python3 scripts/ci/summary.py "$out/publish.json" >"$out/summary.md"

git add -A -- translations site
if git diff --cached --quiet; then
  echo "regenerate: catalogs and pages are up to date; nothing to commit"
  exit 0
fi
changes="$(git diff --cached --shortstat)"
# The commit, and its replay if the push is rejected, are the pipeline's own.
export GIT_AUTHOR_NAME="nbscience-pipeline" GIT_COMMITTER_NAME="nbscience-pipeline"
export GIT_AUTHOR_EMAIL="nbscience-pipeline@users.noreply.github.com"
export GIT_COMMITTER_EMAIL="$GIT_AUTHOR_EMAIL"
git commit -q -m "Regenerate catalogs and pages for $(git rev-parse --short HEAD)" -m "${changes# }"
echo "regenerate: committed${changes}"

for attempt in 1 2 3; do
  if git push -q origin "HEAD:${branch}"; then
    exit 0
  fi
  # Someone pushed meanwhile: replay this commit on top. A conflict means they
  # saved the same catalog; their save wins and the run for their push regenerates.
  echo "regenerate: push rejected (attempt ${attempt}); rebasing on origin/${branch}" >&2
  if ! git pull -q --rebase origin "${branch}"; then
    git rebase --abort || true
    echo "regenerate: a catalog changed on ${branch} meanwhile; the next run regenerates it" >&2
    exit 1
  fi
done
echo "regenerate: could not push to ${branch}" >&2
exit 1
