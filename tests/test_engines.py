"""nbgrader's Gradebooks share one engine and one connection per process and database."""
import os
import subprocess
import sys
from pathlib import Path

import nbgrader.api
from sqlalchemy import event

from autograder import engines


def test_gradebooks_of_a_process_share_one_engine_and_one_connection(tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}")  # alembic
    monkeypatch.setattr(nbgrader.api, "create_engine", nbgrader.api.create_engine)  # undone after the test
    url = f"sqlite:///{tmp_path / 'gradebook.db'}"
    engines.share_engines()
    with nbgrader.api.Gradebook(url) as first:
        first.update_or_create_student("ada")
    connects = []
    event.listen(first.engine, "connect", lambda *_: connects.append(1))
    for _ in range(5):
        with nbgrader.api.Gradebook(url) as gradebook:
            assert gradebook.engine is first.engine
            assert [s.id for s in gradebook.students] == ["ada"]
    assert len(connects) <= 1


def test_the_tables_are_made_once_per_engine_and_always_for_a_new_database(tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}")
    monkeypatch.setattr(nbgrader.api, "create_engine", nbgrader.api.create_engine)
    monkeypatch.setattr(nbgrader.api.Base.metadata, "create_all", nbgrader.api.Base.metadata.create_all)
    engines.share_engines()
    for name in ("one.db", "two.db"):  # each new database gets nbgrader's tables
        url = f"sqlite:///{tmp_path / name}"
        with nbgrader.api.Gradebook(url) as gradebook:
            gradebook.update_or_create_student("ada")
        statements = []
        event.listen(gradebook.engine, "before_cursor_execute", lambda *args: statements.append(args[2]))
        with nbgrader.api.Gradebook(url) as gradebook:
            assert [s.id for s in gradebook.students] == ["ada"]
        assert len(statements) <= 4, statements  # table names, the course, the students: no check per table


def test_an_engine_is_never_shared_across_a_fork(tmp_path):
    script = f"""
import os, sys, nbgrader.api
from autograder import engines
engines.share_engines()
url = "sqlite:///{tmp_path / 'g.db'}"
parent = nbgrader.api.create_engine(url)
pid = os.fork()
if pid == 0:
    os._exit(0 if nbgrader.api.create_engine(url) is not parent else 1)
_, status = os.waitpid(pid, 0)
sys.exit(os.waitstatus_to_exitcode(status))
"""
    assert subprocess.run([sys.executable, "-c", script], cwd=Path(__file__).parent.parent).returncode == 0
