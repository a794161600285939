"""Grading workers: long-lived processes that each grade one submission at a time.

A worker that dies (the OOM killer, a crash in a library) costs only the submission it held:
that job gets ``lost(job, exitcode)`` as its result and a fresh worker takes over the rest.
Each worker runs under its own address-space limit.
"""
from __future__ import annotations

import multiprocessing
import resource
from multiprocessing.connection import Connection, wait
from typing import Callable, Iterator, TypeVar

J = TypeVar("J")
R = TypeVar("R")


def _serve(conn: Connection, work: Callable, memory: int | None) -> None:
    if memory:
        resource.setrlimit(resource.RLIMIT_AS, (memory, memory))
    while True:
        try:
            job = conn.recv()
        except EOFError:
            return
        if job is None:
            return
        conn.send(work(job))


def run(jobs: list[J], work: Callable[[J], R], workers: int, lost: Callable[[J, int | None], R],
        memory: int | None = None) -> Iterator[tuple[J, R]]:
    """``(job, work(job))`` for every job as it finishes, ``workers`` at a time."""
    context = multiprocessing.get_context("fork")
    queue = list(reversed(jobs))
    idle: list[tuple[Connection, multiprocessing.Process]] = []
    busy: dict[Connection, tuple[multiprocessing.Process, J]] = {}

    def start() -> tuple[Connection, multiprocessing.Process]:
        parent, child = context.Pipe()
        process = context.Process(target=_serve, args=(child, work, memory), daemon=True)
        process.start()
        child.close()
        return parent, process

    idle += [start() for _ in range(max(1, min(workers, len(jobs))))]
    try:
        while queue or busy:
            while idle and queue:
                conn, process = idle.pop()
                job = queue.pop()
                conn.send(job)
                busy[conn] = (process, job)
            ready = set(wait(list(busy) + [process.sentinel for process, _ in busy.values()]))
            for conn in [c for c, (p, _) in busy.items() if c in ready or p.sentinel in ready]:
                process, job = busy.pop(conn)
                try:
                    result = conn.recv() if conn.poll() else None
                except (EOFError, OSError):
                    result = None
                if result is not None:
                    idle.append((conn, process))
                    yield job, result
                    continue
                process.join(5)
                conn.close()
                if queue:
                    idle.append(start())
                yield job, lost(job, process.exitcode)
    finally:
        for conn, process in idle + [(c, p) for c, (p, _) in busy.items()]:
            try:
                conn.send(None)
            except OSError:
                pass
            process.join(1)
            if process.is_alive():
                process.kill()
                process.join()
