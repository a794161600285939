"""Grading a class at scale: serial, parallel and Dask grading give the same grades.csv; a Dask
worker that dies loses no submission; the gradebook can be a real PostgreSQL server."""
import glob
import os
import pwd
import shutil
import signal
import socket
import subprocess
import tempfile
from pathlib import Path

import pytest

from autograder import batch, cluster, demo, feedback, grades, release, submissions
from autograder.config import DB_URL_ENV, nbgrader_config, with_driver

pytestmark = pytest.mark.slow

SLUG = "01_fc_layer"
STUDENTS = ["ada", "cai", "dee", "eli"]  # correct, one gradient wrong, blank, a syntax error
EXPECTED = {"ada": 8.0, "cai": 4.57, "dee": 0.0, "eli": 1.0}


def make_class(course, students=STUDENTS):
    for student in students:
        submissions.write(demo.student_notebook(student, SLUG), course, student, SLUG)
    return course


def grade(course, monkeypatch, workers=None, scheduler=None, db_url=None, log=print):
    if scheduler:
        monkeypatch.setenv(cluster.SCHEDULER_ENV, scheduler)
    else:
        monkeypatch.delenv(cluster.SCHEDULER_ENV, raising=False)
    if db_url:
        monkeypatch.setenv(DB_URL_ENV, db_url)
    else:
        monkeypatch.delenv(DB_URL_ENV, raising=False)
    reports = batch.autograde(course, [SLUG], workers=workers, cell_timeout=10, log=log)
    grades.export(course, [SLUG], course / "grades.csv")
    return reports


def totals(reports):
    return {r.student: round(sum(t.score for t in r.tasks), 2) for r in reports}


# ------------------------------------------------------------------------- Dask

@pytest.fixture(scope="module")
def local_cluster():
    from distributed import Client, LocalCluster

    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=":0") as dask_cluster:
        with Client(dask_cluster) as client:
            yield dask_cluster, client


def test_serial_parallel_and_dask_grades_are_identical(tmp_path, monkeypatch, local_cluster):
    dask_cluster, _ = local_cluster
    runs = {}
    for name, options in [("serial", dict(workers=1)), ("parallel", dict(workers=2)),
                          ("dask", dict(scheduler=dask_cluster.scheduler_address))]:
        course = make_class(tmp_path / name)
        lines = []
        reports = grade(course, monkeypatch, log=lines.append, **options)
        assert totals(reports) == EXPECTED, name
        if name == "dask":
            assert any(line.startswith("Dask dashboard: http") for line in lines)
        runs[name] = (course / "grades.csv").read_bytes()
    assert runs["serial"] == runs["parallel"] == runs["dask"]


def test_a_dead_dask_worker_loses_no_submission(tmp_path, monkeypatch, local_cluster):
    """A worker process killed while it grades: its submission is graded again elsewhere, and every
    submission is recorded exactly once."""
    dask_cluster, client = local_cluster
    students = [f"s{i}" for i in range(6)]
    course = tmp_path / "course"
    for student in students:
        submissions.write(demo.student_notebook("ada", SLUG), course, student, SLUG)
    pids = list(client.run(os.getpid).values())
    killed = []

    def log(line):
        if "[1/" in line and not killed:  # one result is in: the workers are busy with the next ones
            os.kill(pids[0], signal.SIGKILL)
            killed.append(pids[0])

    reports = grade(course, monkeypatch, scheduler=dask_cluster.scheduler_address, log=log)
    assert killed, "no result came in, so no worker was killed"
    assert sorted(r.student for r in reports) == students, [r.student for r in reports]
    assert all(r.status == "graded" and sum(t.score for t in r.tasks) == 8.0 for r in reports), \
        [(r.student, r.status, r.message[:600]) for r in reports]
    client.wait_for_workers(2, timeout=60)


def test_a_task_that_fails_for_good_is_a_grader_error(tmp_path, monkeypatch):
    """The coordinator's record when the cluster cannot deliver a result."""
    course = make_class(tmp_path / "course", ["ada"])
    release.register([SLUG], course)
    batch._create_students(course, ["ada"])
    job = batch.Job(course, "ada", SLUG, tmp_path / "staging", 10.0)
    report = cluster._failed(job, "grader error", "the grader failed on this submission on the cluster (KilledWorker: x)")
    assert report.status == "grader error" and "KilledWorker" in report.message
    assert (job.autograded / "grading.json").is_file()


# ------------------------------------------------------------------- PostgreSQL

def _postgres_bin() -> Path | None:
    found = shutil.which("pg_ctl") or next(iter(sorted(glob.glob("/usr/lib/postgresql/*/bin/pg_ctl"), reverse=True)), None)
    return Path(found).resolve().parent if found else None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def postgres():
    """A real PostgreSQL server on a Unix socket in a temporary folder; yields ``new_database(name) -> url``.
    As root it runs as the ``postgres`` user (the server refuses to run as root)."""
    bindir = _postgres_bin()
    if bindir is None:
        pytest.skip("PostgreSQL's server binaries are not installed (Debian: apt-get install postgresql; .ci/run does)")
    as_user = []
    root = Path(tempfile.mkdtemp(prefix="bplab-pg-"))
    if os.geteuid() == 0:
        try:
            entry = pwd.getpwnam("postgres")
        except KeyError:
            pytest.skip("running as root and there is no 'postgres' user to run the server as")
        as_user = ["runuser", "-u", "postgres", "--"]
        os.chmod(root, 0o755)
    data, sock = root / "data", root / "sock"
    sock.mkdir()
    if as_user:
        os.chown(sock, entry.pw_uid, entry.pw_gid)
        os.chown(root, entry.pw_uid, entry.pw_gid)
    port = _free_port()

    def run(*command):
        subprocess.run(as_user + [str(command[0]), *map(str, command[1:])], check=True, capture_output=True,
                       text=True, timeout=120)

    run(bindir / "initdb", "-D", data, "-A", "trust", "-U", "postgres", "--no-sync", "-E", "UTF8")
    run(bindir / "pg_ctl", "-D", data, "-l", root / "server.log", "-w", "-t", "60", "-o",
        f"-k {sock} -p {port} -c listen_addresses='' -c fsync=off -c full_page_writes=off", "start")

    def new_database(name: str) -> str:
        run(bindir / "createdb", "-h", sock, "-p", port, "-U", "postgres", name)
        return f"postgresql://postgres@/{name}?host={sock}&port={port}"

    try:
        yield new_database
    finally:
        subprocess.run(as_user + [str(bindir / "pg_ctl"), "-D", str(data), "-m", "immediate", "-w", "stop"],
                       capture_output=True, timeout=60)
        shutil.rmtree(root, ignore_errors=True)


def test_grading_feedback_and_grades_in_postgresql(tmp_path, monkeypatch, postgres, local_cluster):
    """Graded on the Dask cluster into PostgreSQL: the workers use private gradebooks, the
    coordinator writes the server's."""
    from nbgrader.api import Gradebook

    url = postgres("gradebook_scale")
    reference = make_class(tmp_path / "sqlite")
    grade(reference, monkeypatch, workers=2)
    course = make_class(tmp_path / "postgres")
    reports = grade(course, monkeypatch, scheduler=local_cluster[0].scheduler_address, db_url=url)
    assert totals(reports) == EXPECTED
    assert not (course / "gradebook.db").exists()  # everything went to the server
    assert nbgrader_config(course).CourseDirectory.db_url == with_driver(url)
    with Gradebook(with_driver(url)) as gb:
        assert {s.id for s in gb.students} == set(STUDENTS)
        assert gb.find_submission(SLUG, "ada").score == 8.0
    assert (course / "grades.csv").read_bytes() == (reference / "grades.csv").read_bytes()
    written = feedback.generate(course, [SLUG], log=lambda *_: None)
    assert len(written) == len(STUDENTS)


def test_the_course_file_names_the_gradebook(tmp_path, monkeypatch, postgres):
    url = postgres("gradebook_course_file")
    course = make_class(tmp_path / "course", ["ada"])
    (course / "nbgrader_config.py").write_text(f"c = get_config()\nc.CourseDirectory.db_url = {url!r}\n")
    monkeypatch.delenv(DB_URL_ENV, raising=False)
    assert nbgrader_config(course).CourseDirectory.db_url == with_driver(url)
    reports = grade(course, monkeypatch, workers=1)
    assert totals(reports) == {"ada": 8.0} and not (course / "gradebook.db").exists()
