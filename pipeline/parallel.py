"""CPU-bound work on every core: a list split among forked processes.

Used where a publish does the same work for many articles (sentence splitting,
catalogs and pages). Fork, not spawn: the children start with the publish's
state (configuration, catalogs, engine output) without pickling it; only each
item's result travels back.

Not ``ProcessPoolExecutor``: its idle workers wait on a pipe they also hold
open, so a publish killed with SIGKILL would leave them waiting forever. Here
every process, the parent included, takes chunks of the list from a pipe until
it is empty; a child sends each chunk's results as soon as the chunk is done,
and exits when none is left. A child must not outlive its parent (a CI timeout
or the OOM killer kills the parent alone): it asks the kernel for SIGKILL when
the parent dies, and it closes the read ends of every pipe it inherited, so a
write to a dead parent fails instead of blocking forever. The project lock is
closed in children by lock.py.

fork_background hands a list to one such child and returns at once: for work
that can run beside a phase that keeps only one core busy. ``keeping`` pauses the
collector for work that keeps everything it makes (a publish).
"""

from __future__ import annotations

import ctypes
import ctypes.util
import fcntl
import gc
import multiprocessing
import os
import pickle
import signal
import struct
import sys
import threading
import time
import traceback
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager, suppress
from multiprocessing.connection import Connection, wait
from typing import Generic, TypeVar

from .errors import PipelineError

T = TypeVar("T")
R = TypeVar("R")

# Below this many items per process, forking costs more than it saves.
MIN_SHARE = 16
# Chunks per process a list is cut into, at most, while much of it remains: few
# enough that asking for them costs nothing. Then each chunk is a share of what
# remains (a 2 * processes-th: "guided" scheduling), so the last are an item or two
# and the processes finish together (16 equal chunks left one working alone at the
# end of a 1,000-article publish's pages for 0.005-0.09 s, now 0-0.007 s).
CHUNKS_PER_PROCESS = 16
MAX_CHUNKS = 512  # their numbers fit in one page: what every pipe can hold at once
_RECORD = struct.Struct("<q")  # a chunk's number, as the pipe carries it
# Seconds between progress reports from a child (and the parent's looks at them):
# one message per item costs more than the item where items are small.
TICK_SECONDS = 0.05
# Bytes a child's pipe holds (Linux's largest without privileges): a chunk's results
# wait there for the parent's next look while the child goes on. With the default
# 64 KiB, a chunk of pages or catalogs did not fit, and the child stopped until read.
PIPE_BYTES = 1 << 20


def cores() -> int:
    """The cores this process may run on (a container's limit, not the host's)."""
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0))
    return os.cpu_count() or 1


def processes(count: int, min_share: int = MIN_SHARE, jobs: int | None = None) -> int:
    """How many processes, this one included, fork_map shares ``count`` items among
    (1: it forks none)."""
    workers = min(jobs or cores(), count // max(1, min_share))
    # Fork only a single-threaded process: another thread could hold a lock (logging,
    # an allocator) that the child would then wait on forever.
    if (
        workers <= 1
        or threading.active_count() > 1
        or "fork" not in multiprocessing.get_all_start_methods()
    ):
        return 1
    return workers


def fork_map(
    func: Callable[[T], R],
    items: Sequence[T],
    advance: Callable[[int], None] = lambda _: None,
    min_share: int = MIN_SHARE,
    jobs: int | None = None,
) -> list[R]:
    """``[func(item) for item in items]``, computed by ``jobs`` processes (default:
    one per core), this one included.

    ``advance(n)`` is called in this process as items are done (a progress bar).
    An exception in any process is raised here; the other children are stopped.
    """
    workers = processes(len(items), min_share, jobs)
    if workers == 1:
        here = []
        for item in items:
            here.append(func(item))
            advance(1)
        return here

    # Items are dealt out in chunks as processes ask for them, so a process whose
    # items turn out slower gets fewer (fixed shares left one waiting for the other).
    chunks = _chunks(len(items), workers)
    dealt = _dealer(len(chunks))
    context = multiprocessing.get_context("fork")
    sys.stdout.flush()  # a child would print the parent's unflushed output again
    sys.stderr.flush()
    # What exists now is left out of every collection (here and in the children):
    # a child's collector would otherwise touch, and so copy, the parent's memory.
    gc.freeze()
    collecting = gc.isenabled()
    children: dict[Connection, tuple[int, multiprocessing.process.BaseProcess]] = {}
    try:
        parent = os.getpid()
        for k in range(1, workers):
            receive, send = context.Pipe(duplex=False)
            _widen(send)
            inherited = [*children, receive]  # read ends the child must not keep
            args = (func, items, dealt, chunks, send, inherited, parent)
            child = context.Process(target=_child, args=args, daemon=True)
            child.start()
            send.close()
            children[receive] = (k, child)
        # This process keeps what its share makes (a reading share keeps the articles'
        # tokens): a collection mid-phase would scan all of it, on one core, and free
        # nothing (45 ms of a 1,000-article read). Its end files it with the rest.
        gc.disable()
        # Results arrive chunk by chunk while this process works on its own: at the
        # end, only the children's last chunks are left to wait for (when a child sent
        # all of its results at once, this process waited 35-80 ms at the end of each
        # phase of a 1,000-article publish while they were pickled and read).
        pieces: list[tuple[int, list[R]]] = []
        finished: set[int] = set()
        looked = time.monotonic()
        for _ in _work(func, items, dealt, chunks, pieces):
            advance(1)
            if time.monotonic() - looked >= TICK_SECONDS:
                ready = [c for c in _waiting(children, finished) if c.poll()]
                _collect(ready, children, pieces, finished, advance)
                looked = time.monotonic()
        while len(finished) < workers - 1:
            _collect(wait(_waiting(children, finished)), children, pieces, finished, advance)
    finally:
        _settle(collecting)
        os.close(dealt)
        for connection, (_, process) in children.items():
            if process.is_alive():
                process.terminate()
            process.join()
            connection.close()
    results: list[R] = [None] * len(items)  # type: ignore[list-item]
    for start, chunk_results in pieces:
        results[start : start + len(chunk_results)] = chunk_results
    return results


@contextmanager
def keeping() -> Iterator[None]:
    """For work that keeps what it makes until it ends (a publish keeps its articles,
    catalogs and plans): no collection scans those objects meanwhile, where each
    would free nothing (a gen-0 collection took 50-130 ms of a two-language publish's
    planning, on one core); at the end they are filed with the old objects."""
    collecting = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        _settle(collecting)


def _settle(collecting: bool) -> None:
    """What was made since the collector stopped (or the heap was frozen) filed with
    the old objects, unscanned (freezing again files the new ones with the frozen, and
    unfreezing makes them all old), and the collector on again if it was."""
    gc.freeze()
    gc.unfreeze()
    if collecting:
        gc.enable()


class Background(Generic[R]):
    """``[func(item) for item in items]`` computed by one forked child while this
    process goes on with other work (see ``fork_background``)."""

    def __init__(
        self, connection: Connection, process: multiprocessing.process.BaseProcess
    ) -> None:
        self._connection, self._process = connection, process

    def result(self) -> list[R]:
        """Wait for the child's results (its exception is raised here)."""
        children = {self._connection: (1, self._process)}
        pieces: list[tuple[int, list[R]]] = []
        finished: set[int] = set()
        try:
            while not finished:
                _collect(wait([self._connection]), children, pieces, finished, lambda _: None)
        finally:
            self.close()
        return [result for _, results in sorted(pieces) for result in results]

    def close(self) -> None:
        """Stop the child if it is still working (its results are not wanted)."""
        if self._process.is_alive():
            self._process.terminate()
        self._process.join()
        self._connection.close()


def fork_background(
    func: Callable[[T], R], items: Sequence[T], jobs: int | None = None
) -> Background[R] | None:
    """Start computing ``[func(item) for item in items]`` in a child on another core
    (None where ``jobs`` or the cores allow one process only, or this process cannot
    fork safely: the caller does the work itself). Call it before starting threads;
    the caller must end with ``result()`` or ``close()``."""
    if not items or processes(2 * len(items), min_share=len(items), jobs=jobs) == 1:
        return None
    chunks = [(0, len(items))]  # one chunk: the child takes them all
    dealt = _dealer(len(chunks))
    context = multiprocessing.get_context("fork")
    sys.stdout.flush()
    sys.stderr.flush()
    gc.freeze()  # as in fork_map: the child's collector leaves the parent's memory alone
    try:
        receive, send = context.Pipe(duplex=False)
        _widen(send)
        args = (func, items, dealt, chunks, send, [receive], os.getpid())
        child = context.Process(target=_child, args=args, daemon=True)
        child.start()
        send.close()
    finally:
        gc.unfreeze()
        os.close(dealt)  # the child holds its own copy
    return Background(receive, child)


def _chunks(total: int, workers: int) -> list[tuple[int, int]]:
    """Each chunk's (start, end), in order: see CHUNKS_PER_PROCESS. At most
    MAX_CHUNKS of them (none smaller than total / MAX_CHUNKS)."""
    most = -(-total // min(workers * CHUNKS_PER_PROCESS, MAX_CHUNKS))
    least = -(-total // MAX_CHUNKS)
    bounds: list[tuple[int, int]] = []
    start = 0
    while start < total:
        size = max(least, min(most, -(-(total - start) // (2 * workers))))
        bounds.append((start, min(total, start + size)))
        start += size
    return bounds


def _dealer(count: int) -> int:
    """A pipe holding the numbers 0 to ``count`` - 1, one per chunk; returns its read
    end. Not a counter under a lock: a process killed holding the lock would stop
    the others forever, while a read from a pipe takes a whole record or nothing
    (under the kernel's own lock) and an emptied pipe says so to everyone."""
    read, write = os.pipe()
    os.write(write, b"".join(_RECORD.pack(number) for number in range(count)))
    os.close(write)
    return read


def _work(
    func: Callable,
    items: Sequence,
    dealt: int,
    chunks: list[tuple[int, int]],
    pieces: list[tuple[int, list]],
) -> Iterator[bool]:
    """``func`` over each chunk this process takes, until every chunk is dealt out;
    the results go to ``pieces`` as (chunk's start, its results). Yields after each
    item (the caller reports progress): True after a chunk's last."""
    while record := os.read(dealt, _RECORD.size):
        start, end = chunks[_RECORD.unpack(record)[0]]
        results: list = []
        pieces.append((start, results))
        for position in range(start, end):
            results.append(func(items[position]))
            yield position == end - 1


def _widen(connection: Connection) -> None:
    """Let the pipe hold PIPE_BYTES (Linux; elsewhere, or refused, it keeps its size)."""
    with suppress(AttributeError, OSError):  # F_SETPIPE_SZ: Linux, Python 3.10+
        fcntl.fcntl(connection.fileno(), fcntl.F_SETPIPE_SZ, PIPE_BYTES)


def _waiting(
    children: dict[Connection, tuple[int, multiprocessing.process.BaseProcess]],
    finished: set[int],
) -> list[Connection]:
    """The pipes of children that have not sent all of their results yet."""
    return [c for c, (k, _) in children.items() if k not in finished]


def _collect(
    ready: list,
    children: dict[Connection, tuple[int, multiprocessing.process.BaseProcess]],
    pieces: list[tuple[int, list]],
    finished: set[int],
    advance: Callable[[int], None],
) -> None:
    """Read what the ``ready`` children sent: progress, chunks' results (to ``pieces``),
    their end (to ``finished``), or their error (raised)."""
    for connection in ready:
        k, _ = children[connection]
        while k not in finished and connection.poll():
            try:
                kind, value = connection.recv()
            except EOFError:
                raise PipelineError(
                    "a worker process died without a result (out of memory?)",
                    fix="run the command again; if it recurs, free some memory",
                ) from None
            if kind == "tick":
                advance(value)
            elif kind == "part":
                pieces.append(value)
            elif kind == "done":
                finished.add(k)
            else:
                raise value


PR_SET_PDEATHSIG = 1  # linux/prctl.h


def _die_with(parent: int) -> None:
    """Have the kernel kill this process when ``parent`` dies (Linux; elsewhere the
    closed pipes still end it at its first write)."""
    libc_name = ctypes.util.find_library("c")
    if libc_name and sys.platform.startswith("linux"):
        libc = ctypes.CDLL(libc_name, use_errno=True)
        libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    if os.getppid() != parent:  # the parent died before the request took effect
        os._exit(1)


def _child(
    func: Callable,
    items: Sequence,
    dealt: int,
    chunks: list[tuple[int, int]],
    connection: Connection,
    inherited: list,
    parent: int,
) -> None:
    _die_with(parent)
    for other in inherited:
        other.close()
    try:
        pieces: list[tuple[int, list]] = []
        reported, told = 0, time.monotonic()
        for count, last in enumerate(_work(func, items, dealt, chunks, pieces), 1):
            if last:  # the chunk's results, pickled here while the parent works
                connection.send(("part", pieces.pop()))
            if last or time.monotonic() - told >= TICK_SECONDS:
                connection.send(("tick", count - reported))
                reported, told = count, time.monotonic()
        connection.send(("done", None))
    except BrokenPipeError:
        pass  # the parent is gone: nothing to report to
    except BaseException as exc:  # every failure goes to the parent
        connection.send(("error", _portable(exc)))
    finally:
        connection.close()


def _portable(exc: BaseException) -> BaseException:
    """``exc`` if it survives pickling, else a PipelineError carrying its traceback."""
    try:
        pickle.loads(pickle.dumps(exc))
        return exc
    except Exception:
        text = "".join(traceback.format_exception(exc)).strip()
        return PipelineError(f"a worker process failed: {text}")
