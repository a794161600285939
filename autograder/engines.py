"""One SQLAlchemy engine per gradebook database and process.

nbgrader opens a new ``Gradebook`` about ten times for every notebook it autogrades, and each one
makes a new engine: an empty compiled-statement cache (every query compiled again) and a new
connection, disposed of when the Gradebook closes (with PostgreSQL, nine new connections per
notebook). :func:`share_engines` makes ``nbgrader.api`` reuse one engine per process and database
URL, whose pool a Gradebook's close leaves open: a grading worker compiles each query once and
keeps one connection.
"""
from __future__ import annotations

import os

import nbgrader.api

_create_engine = nbgrader.api.create_engine
_engines: dict[tuple, object] = {}


def _shared_engine(url, **kwargs):
    key = (os.getpid(), str(url), tuple(sorted(kwargs.items())))  # never an engine made before a fork
    if key not in _engines:
        engine = _create_engine(url, **kwargs)
        engine.dispose = lambda close=True: None  # Gradebook.close disposes; the pool outlives it
        _engines[key] = engine
    return _engines[key]


_created: set[int] = set()  # engines whose tables this process has made sure of
_create_all = nbgrader.api.Base.metadata.create_all


def _create_tables_once(bind, **kwargs) -> None:
    """nbgrader's tables, created (or checked, a query per table) once per engine, not per Gradebook."""
    shared = any(engine is bind for engine in _engines.values())  # kept alive, so its id stays its own
    if not (shared and id(bind) in _created):
        _create_all(bind=bind, **kwargs)
        if shared:
            _created.add(id(bind))


def share_engines() -> None:
    """From now on, every ``nbgrader.api.Gradebook`` of this process shares its database's engine,
    whose tables are checked once."""
    nbgrader.api.create_engine = _shared_engine
    nbgrader.api.Base.metadata.create_all = _create_tables_once
