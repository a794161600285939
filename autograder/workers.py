"""Grading workers: long-lived processes that each grade one submission at a time.

A worker that dies (the OOM killer, a crash in a library) costs only the submission it held:
that job gets ``lost(job, exitcode)`` as its result and a fresh worker takes over the rest.
Each worker runs under its own address-space limit.

With ``prepare``, each worker is also told the job it will get next, and calls ``prepare(next)``
before it starts the current one (to start that job's kernel while this one is graded); a job
told in advance to a worker that dies goes back to the queue, as it was never started.
``prepare(None)`` is called when the worker stops.
"""
from __future__ import annotations

import multiprocessing
import resource
from multiprocessing.connection import Connection, wait
from typing import Callable, Iterator, TypeVar

J = TypeVar("J")
R = TypeVar("R")


def _serve(conn: Connection, work: Callable, memory: int | None, prepare: Callable | None = None) -> None:
    if memory:
        resource.setrlimit(resource.RLIMIT_AS, (memory, memory))
    try:
        while True:
            try:
                message = conn.recv()
            except EOFError:
                return
            if message is None:
                return
            job, upcoming = message
            if prepare is not None and upcoming is not None:
                try:
                    prepare(upcoming)
                except Exception:  # only saves time: the job will start its own kernel
                    pass
            conn.send(work(job))
    finally:
        if prepare is not None:
            try:
                prepare(None)
            except Exception:
                pass


def run(jobs: list[J], work: Callable[[J], R], workers: int, lost: Callable[[J, int | None], R],
        memory: int | None = None, prepare: Callable[[J | None], None] | None = None) -> Iterator[tuple[J, R]]:
    """``(job, work(job))`` for every job as it finishes, ``workers`` at a time."""
    context = multiprocessing.get_context("fork")
    queue = list(reversed(jobs))
    idle: list[tuple[Connection, multiprocessing.Process]] = []
    busy: dict[Connection, tuple[multiprocessing.Process, J, J | None]] = {}  # conn -> (process, job, next)

    def start() -> tuple[Connection, multiprocessing.Process]:
        parent, child = context.Pipe()
        process = context.Process(target=_serve, args=(child, work, memory, prepare), daemon=True)
        process.start()
        child.close()
        return parent, process

    def assign(conn: Connection, process: multiprocessing.Process, job: J) -> None:
        upcoming = queue.pop() if prepare is not None and queue else None
        conn.send((job, upcoming))
        busy[conn] = (process, job, upcoming)

    idle += [start() for _ in range(max(1, min(workers, len(jobs))))]
    try:
        while queue or busy:
            while idle and queue:
                conn, process = idle.pop()
                assign(conn, process, queue.pop())
            ready = set(wait(list(busy) + [process.sentinel for process, _, _ in busy.values()]))
            for conn in [c for c, (p, _, _) in busy.items() if c in ready or p.sentinel in ready]:
                process, job, upcoming = busy.pop(conn)
                try:
                    result = conn.recv() if conn.poll() else None
                except (EOFError, OSError):
                    result = None
                if result is not None:
                    following = upcoming if upcoming is not None else (queue.pop() if queue else None)
                    if following is not None:
                        assign(conn, process, following)
                    else:
                        idle.append((conn, process))
                    yield job, result
                    continue
                process.join(5)
                conn.close()
                if upcoming is not None:
                    queue.append(upcoming)  # told in advance, never started: another worker grades it
                if queue:
                    idle.append(start())
                yield job, lost(job, process.exitcode)
    finally:
        for conn, process in idle + [(c, p) for c, (p, _, _) in busy.items()]:
            try:
                conn.send(None)
            except OSError:
                pass
            process.join(1)
            if process.is_alive():
                process.kill()
                process.join()
