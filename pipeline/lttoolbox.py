"""Running lttoolbox's ``lt-proc`` on a batch of lines, and reading its lexical units."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

UNIT_RE = re.compile(r"\^((?:[^$\\]|\\.)*)\$")


class LttoolboxFailed(Exception):
    """A tool failed, or is missing: ``reason`` and how to ``fix`` it."""

    def __init__(self, reason: str, fix: str) -> None:
        super().__init__(reason)
        self.reason, self.fix = reason, fix


def run(command: list[str], stdin: str = "") -> str:
    try:
        done = subprocess.run(command, input=stdin, capture_output=True, text=True, check=False)
    except FileNotFoundError as exc:
        raise LttoolboxFailed(
            f"`{command[0]}` is not installed", "sudo apt-get install lttoolbox apertium"
        ) from exc
    if done.returncode != 0:
        raise LttoolboxFailed(
            f"`{' '.join(command[:2])}` failed: {done.stderr.strip()[:300]}",
            "report this with the input that caused it",
        )
    return done.stdout


def lookup(binary: Path, flag: str | None, lines: list[str], parse: bool = True) -> list:
    """Each line's lexical units from ``lt-proc [flag] binary``: (surface, [readings]),
    or with ``parse=False`` each line's raw output, to parse (parse_units) only some."""
    if not lines:
        return []
    command = ["lt-proc", *([flag] if flag else []), str(binary)]
    out = run(command, "\n".join(lines) + "\n").split("\n")[: len(lines)]
    return [parse_units(line) for line in out] if parse else out


def parse_units(line: str) -> list[tuple[str, list[str]]]:
    units = []
    for unit in UNIT_RE.findall(line):
        surface, *readings = re.split(r"(?<!\\)/", unit)
        units.append((surface, readings))
    return units
