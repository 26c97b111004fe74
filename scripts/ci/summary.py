"""A `pipeline publish --json` report as Markdown small enough for a pull-request
comment or a job summary (GitHub caps comments at 65,536 characters).

    python3 scripts/ci/summary.py [--check] REPORT.json > summary.md
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

STATES = ("approved", "machine", "draft", "stale", "untranslated")
LISTED = 40  # changed files and warnings shown before "... and N more"
LIMIT = 60_000


def listed(items: list[str], code: bool = False, limit: int = LISTED) -> list[str]:
    shown = [f"- `{item}`" if code else f"- {item}" for item in items[:limit]]
    if len(items) > limit:
        shown.append(f"- ... and {len(items) - limit} more")
    return shown


def markdown(report: dict, check: bool) -> str:
    changed = report.get("changed_files", [])
    if check:
        title = (
            f"Merging regenerates {len(changed)} files (the push job commits them)"
            if changed
            else "Catalogs and pages are up to date"
        )
    else:
        title = f"Published: {len(changed)} files changed"
    lines = [f"### {title}", ""]
    header = ["language", *STATES, "shown in English", "sent to an engine", "engine"]
    lines += ["| " + " | ".join(header) + " |", "|" + " --- |" * len(header)]
    for code, counts in sorted(report.get("units_by_state", {}).items()):
        row = [code, *(str(counts.get(state, 0)) for state in STATES)]
        row.append(str(report.get("units_in_english", {}).get(code, 0)))
        row.append(str(report.get("units_sent", {}).get(code, 0)))
        row.append(report.get("engines", {}).get(code, "—"))
        lines.append("| " + " | ".join(row) + " |")
    lines.append("")
    for code, slugs in sorted(report.get("not_advertised", {}).items()):
        lines.append(
            f"- **{code}**: {len(slugs)} articles below the coverage threshold "
            "(noindex, not in hreflang or the sitemap)"
        )
    for code, reason in sorted(report.get("missing_engines", {}).items()):
        lines.append(f"- **{code}** has no engine: {reason}")
    if report.get("errors"):
        lines += ["", f"#### Errors ({len(report['errors'])})", *listed(report["errors"])]
    if report.get("warnings"):
        lines += ["", f"#### Warnings ({len(report['warnings'])})", *listed(report["warnings"])]
    if changed:
        lines += ["", f"<details><summary>Changed files ({len(changed)})</summary>", ""]
        lines += [*listed(changed, code=True), "", "</details>"]
    text = "\n".join(lines) + "\n"
    return text if len(text) <= LIMIT else text[:LIMIT] + "\n\n(cut to fit a comment)\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("report", type=Path)
    parser.add_argument("--check", action="store_true", help="the report of publish --check")
    args = parser.parse_args()
    print(markdown(json.loads(args.report.read_text(encoding="utf-8")), args.check), end="")


if __name__ == "__main__":
    main()
