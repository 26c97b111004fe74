"""Offline localization pipeline: Markdown articles -> gettext catalogs -> static site."""

__version__ = "0.1.0"

# The collector's thresholds for a command: a publish holds millions of small objects
# (tokens, catalog entries) until it ends, and with the default thresholds the
# collector rescans them again and again (a quarter of a 1 MB article's publish);
# the command's own modules make some 100,000 that live until the exit. mypy raises
# them the same way. Set by the command before it loads (pipeline.__main__), by its
# group (for callers in-process) and by the benchmarks that call publish() directly.
COLLECTOR_THRESHOLDS = (200_000, 30, 30)
