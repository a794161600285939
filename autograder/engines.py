"""One SQLAlchemy engine per gradebook database and process.

nbgrader opens a new ``Gradebook`` about ten times for every notebook it autogrades, and each one
makes a new engine: an empty compiled-statement cache (every query compiled again) and a new
connection. :func:`share_engines` makes ``nbgrader.api`` reuse one engine per process and database
URL, so a grading worker compiles each query once.
"""
from __future__ import annotations

import os

import nbgrader.api

_create_engine = nbgrader.api.create_engine
_engines: dict[tuple, object] = {}


def _shared_engine(url, **kwargs):
    key = (os.getpid(), str(url), tuple(sorted(kwargs.items())))  # never an engine made before a fork
    if key not in _engines:
        _engines[key] = _create_engine(url, **kwargs)
    return _engines[key]


def share_engines() -> None:
    """From now on, every ``nbgrader.api.Gradebook`` of this process shares its database's engine."""
    nbgrader.api.create_engine = _shared_engine
