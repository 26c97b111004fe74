"""The ``pipeline`` command, as installed and as ``python -m pipeline``."""

import gc

from . import COLLECTOR_THRESHOLDS


def main() -> None:
    # Before the command's modules load: at the default thresholds the collector
    # scanned what they make some 60 times (9-15 ms of every command's start).
    gc.set_threshold(*COLLECTOR_THRESHOLDS)
    from .cli import run

    run()


if __name__ == "__main__":
    main()
