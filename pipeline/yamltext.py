"""YAML written by people (front matter, the glossary): safe loading, errors with lines.

Anchors and aliases (``&a`` / ``*a``) are refused: nobody needs them in an
article's fields or a term list, and nested aliases ("billion laughs") expand
exponentially in anything that walks the data.
"""

from __future__ import annotations

from pathlib import Path

import yaml

from .errors import PipelineError

# libyaml's loader when PyYAML has it: ten times faster on a thousand articles.
SAFE_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
SYNTAX_FIX = "correct the YAML syntax (quote values that contain ':')"


def load_yaml(text: str, path: Path, first_line: int = 1, what: str = "YAML") -> object:
    """The data of ``text``; ``first_line`` is the file line where ``text`` starts."""
    try:
        _refuse_aliases(text, path, first_line)
        return yaml.load(text, Loader=SAFE_LOADER)
    except yaml.YAMLError as exc:
        raise syntax_error(exc, path, first_line, what) from exc


def load_yaml_nodes(text: str, path: Path) -> tuple[object, yaml.Node | None]:
    """The data of ``text`` and its node tree (whose marks give each value's line)."""
    try:
        _refuse_aliases(text, path, 1)
        loader = SAFE_LOADER(text)
        try:
            root = loader.get_single_node()
            return (loader.construct_document(root) if root is not None else None), root
        finally:
            loader.dispose()
    except yaml.YAMLError as exc:
        raise syntax_error(exc, path, 1, "YAML") from exc


def syntax_error(exc: yaml.YAMLError, path: Path, first_line: int, what: str) -> PipelineError:
    # The context mark is where the broken construct starts (an unclosed bracket).
    mark = getattr(exc, "context_mark", None) or getattr(exc, "problem_mark", None)
    problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
    return PipelineError(
        f"invalid {what} ({problem})",
        path=path,
        line=mark.line + first_line if mark is not None else first_line,
        fix=SYNTAX_FIX,
    )


def _refuse_aliases(text: str, path: Path, first_line: int) -> None:
    if "*" not in text and "&" not in text:
        return  # no anchor or alias can be there: skip the extra pass
    for event in yaml.parse(text, Loader=SAFE_LOADER):
        anchor = getattr(event, "anchor", None)
        if isinstance(event, yaml.AliasEvent) or anchor:
            raise PipelineError(
                f"YAML anchors and aliases are not allowed (&{anchor} / *{anchor})",
                path=path,
                line=event.start_mark.line + first_line,
                fix="write each value out in full",
            )
