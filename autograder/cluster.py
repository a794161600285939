"""Grading on a Dask distributed cluster: ``--scheduler tcp://host:8786`` or ``--dask-local N``.

Each Dask task grades one submission, in a sandboxed kernel, on whichever worker runs it; the
coordinator (the machine running ``make autograde``) alone reads ``submitted/`` and writes the
course: its gradebook, ``autograded/`` and the reports.

Why a private course on the worker, and scores saved by the coordinator: a worker needs no access
to the course folder or the gradebook (no shared file system, no database password on every
worker), and a task that runs twice (Dask reruns the tasks of a worker that died) leaves nothing
behind but its own scratch. So:

1. the coordinator stages the submission (``intake.stage``: bounded, link-free) and sends the
   staged files, with the content key of the assignment's source, as the task's input;
2. the worker grades them with the very code ``make autograde`` uses (``batch.grade`` through
   nbgrader and ``pipeline.py``) inside a private course folder of its own, with its own SQLite
   gradebook in which the assignment is registered once per worker process;
3. the task returns the report and the graded folder (graded notebook, ``grading.json``); the
   coordinator writes them into ``autograded/`` and saves the scores with
   ``pipeline.save_scores``, the submission time and the course's late policy
   (``config.ApplyDeadlines``) into the course's gradebook, one submission at a time.

A worker that dies costs nothing: Dask reschedules its tasks on the other workers; the
coordinator records exactly one result per submission, whichever run delivered it first. A task
that fails for good (its worker died ``distributed.scheduler.allowed-failures`` times, or the
grader raised) is recorded as ``grader error`` with the reason.

Workers must run this repository at the same version (checked by the assignment's content key)
with bubblewrap installed, one task at a time per process::

    dask scheduler                                        # on the coordinator, port 8786
    cd backprop-lab && .venv/bin/dask worker tcp://coordinator:8786 --nworkers 2 --nthreads 1
"""
from __future__ import annotations

import atexit
import json
import os
import shutil
import tempfile
import threading
import time
from dataclasses import asdict
from pathlib import Path
from typing import Iterator

from . import intake, paths
from .course import Course
from .report import ERROR, INVALID, MISSING, CaseResult, SubmissionReport, TaskResult

SCHEDULER_ENV = "BACKPROP_LAB_SCHEDULER"  # "tcp://host:8786", or "local:N" for a LocalCluster of N processes
MAX_RETURNED_BYTES = 96 * 2**20           # the graded folder a task may send back


# ---------------------------------------------------------------- on the worker

_LOCK = threading.Lock()       # one submission at a time per worker process, whatever --nthreads says
_COURSES: dict[str, Course] = {}  # slug -> this process's private course, registered


def _ensure_source(slug: str, key: str) -> None:
    """``build/source/<slug>`` of this checkout, current for ``key`` (assembled under a lock when not)."""
    from .assemble import assemble
    from .release import build_lock, source_key

    stamp = paths.BUILD / "registered" / f"{slug}.json"

    def current() -> bool:
        try:
            known = json.loads(stamp.read_text()).get("key")
        except (OSError, ValueError):
            known = None
        return known == key and (paths.BUILD / "source" / slug / f"{slug}.ipynb").is_file()

    if current():
        return
    if source_key(slug) != key:
        raise RuntimeError(f"this worker's backprop-lab checkout grades {slug} differently from the coordinator's "
                           "(different assignments/, solutions/ or grader); update it to the same commit")
    with build_lock():
        if not current():
            assemble(slug, paths.BUILD / "source")
            stamp.parent.mkdir(parents=True, exist_ok=True)
            stamp.write_text(json.dumps({"key": key, "cells": None}))


def _private_course(slug: str, key: str) -> Course:
    """This worker process's own course, with ``slug`` registered in its own gradebook."""
    if slug in _COURSES:
        return _COURSES[slug]
    _ensure_source(slug, key)
    if _COURSES:
        course = _COURSES[next(iter(_COURSES))]
    else:
        root = Path(tempfile.mkdtemp(prefix="bplab-dask-course-"))
        atexit.register(shutil.rmtree, root, True)  # when the worker process ends (not if it is killed)
        course = Course(root, release_dir=root / "release", db_url=f"sqlite:///{root / 'gradebook.db'}")
    result = course.api().generate_assignment(slug, force=True)
    if not result["success"]:
        raise RuntimeError(f"nbgrader generate_assignment {slug} failed on this worker: "
                           f"{(result.get('error') or result.get('log') or '')[-300:]}")
    _COURSES[slug] = course
    return course


def _read_folder(folder: Path) -> dict[str, bytes]:
    files, total = {}, 0
    for path in sorted(folder.rglob("*")):
        if path.is_file() and not path.is_symlink():
            data = path.read_bytes()
            total += len(data)
            if total > MAX_RETURNED_BYTES:
                raise RuntimeError(f"the graded folder is larger than {MAX_RETURNED_BYTES // 2**20} MiB")
            files[str(path.relative_to(folder))] = data
    return files


def grade_task(spec: dict) -> dict:
    """A Dask task: grade one staged submission (``spec`` from ``_spec``) in this worker's private
    course; returns the report, the graded folder and the seconds it took."""
    from . import batch
    from .config import DB_URL_ENV

    with _LOCK:
        start = time.monotonic()
        os.environ.pop(DB_URL_ENV, None)  # the private course never writes into the course's gradebook
        slug, student = spec["slug"], spec["student"]
        course = _private_course(slug, spec["source_key"])
        with course.gradebook() as gb:
            gb.update_or_create_student(student)
        submitted = course.submitted(student, slug)
        intake.remove_tree(submitted)
        for name, data in spec["files"].items():
            target = submitted / name
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(data)
        with batch.batch_folder() as staging_root:
            job = batch.Job(course.root, student, slug, staging_root, spec["cell_timeout"], spec["submission_timeout"])
            try:
                report, _ = batch._grade_in_worker(job)
                files = _read_folder(job.autograded)
            finally:
                for folder in (submitted, job.autograded, course.feedback(student)):
                    intake.remove_tree(folder)
        return {"report": asdict(report), "files": files, "seconds": time.monotonic() - start,
                "host": os.uname().nodename, "pid": os.getpid()}


# ---------------------------------------------------------------- on the coordinator

def _report_from(data: dict) -> SubmissionReport:
    data = dict(data)
    tasks = [TaskResult(**{**t, "cases": [CaseResult(**c) for c in t["cases"]]}) for t in data.pop("tasks")]
    return SubmissionReport(**data, tasks=tasks)


def _spec(job, staged_dir: Path, source_key: str) -> dict:
    files = {str(p.relative_to(staged_dir)): p.read_bytes() for p in sorted(staged_dir.rglob("*")) if p.is_file()}
    return {"slug": job.slug, "student": job.student, "files": files, "source_key": source_key,
            "cell_timeout": job.cell_timeout, "submission_timeout": job.submission_timeout}


def save_result(job, report: SubmissionReport, files: dict[str, bytes], timestamp) -> None:
    """What ``batch.grade`` leaves in the course, from a worker's result: the graded folder, the
    scores, the submission time and the late penalty, in the course's gradebook."""
    import nbformat

    from .config import ApplyDeadlines
    from .pipeline import save_scores

    course = job.course
    db_url = course.db_url
    for stale in (job.autograded, job.feedback):
        intake.remove_tree(stale)
    for name, data in files.items():
        target = job.autograded / name
        if ".." in Path(name).parts or Path(name).is_absolute():
            continue
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
    with course.gradebook() as gb:
        if timestamp:
            gb.update_or_create_submission(job.slug, job.student, timestamp=timestamp)
        else:
            gb.update_or_create_submission(job.slug, job.student)
    save_scores(db_url, job.slug, job.slug, job.student, report)
    if report.status not in (MISSING, INVALID, ERROR):
        resources = {"nbgrader": {"db_url": db_url, "assignment": job.slug, "notebook": job.slug,
                                  "student": job.student}}
        ApplyDeadlines(config=course.config).preprocess(nbformat.v4.new_notebook(), resources)  # reads the gradebook only
    report.write(job.autograded)


def _failed(job, status: str, message: str) -> SubmissionReport:
    from .batch import failed_report
    from .pipeline import save_scores

    report = failed_report(job, status, message)
    save_scores(job.course.db_url, job.slug, job.slug, job.student, report)
    for stale in (job.autograded, job.feedback):
        intake.remove_tree(stale)
    report.write(job.autograded)
    return report


def connect(scheduler: str, log=print):
    """A Dask client for ``tcp://host:port``, or for a new LocalCluster when ``scheduler`` is
    ``local:N`` (N worker processes of one thread each). The dashboard link is printed."""
    from distributed import Client, LocalCluster

    if scheduler.startswith("local"):
        count = int(scheduler.partition(":")[2] or os.cpu_count() or 1)
        cluster = LocalCluster(n_workers=count, threads_per_worker=1, processes=True, dashboard_address=":0")
        client = Client(cluster)
    else:
        cluster, client = None, Client(scheduler, timeout=30)
    log(f"Dask dashboard: {client.dashboard_link}")
    return client, cluster


MAX_RETRIES = 3  # a submission whose result is lost with its worker is graded again, at most this often


def run(jobs: list, scheduler: str, log=print) -> Iterator[tuple[object, tuple[SubmissionReport, float]]]:
    """``(job, (report, seconds))`` for every job, graded on the Dask cluster ``scheduler``."""
    from distributed import as_completed
    from nbgrader.coursedir import CourseDirectory

    from .release import source_key

    client, cluster = connect(scheduler, log)
    try:
        workers = client.scheduler_info().get("workers", {})
        threads = sum(w.get("nthreads", 1) for w in workers.values()) or 1
        log(f"  {len(workers)} Dask worker(s), {threads} thread(s)")
        keys = {slug: source_key(slug) for slug in sorted({j.slug for j in jobs})}
        coursedir = CourseDirectory(config=jobs[0].course.config)
        staging_root = Path(tempfile.mkdtemp(prefix="bplab-dask-staged-"))
        pending = list(reversed(jobs))
        running = as_completed()
        held: dict = {}  # future -> (job, notes, timestamp)
        retries: dict = {}  # job -> times its result was lost with a worker
        window = max(8, 4 * threads)
        try:
            while pending or held:
                while pending and len(held) < window:
                    job = pending.pop()
                    staged_dir = staging_root / job.student / job.slug
                    try:
                        staged = intake.stage(job.submitted, staged_dir, job.slug,
                                              paths.RELEASE / job.slug / f"{job.slug}.ipynb")
                    except intake.NotGradable as why:
                        yield job, (_failed(job, why.status, str(why)), 0.0)
                        continue
                    try:
                        timestamp = coursedir.get_existing_timestamp(str(staged_dir))
                        future = client.submit(grade_task, _spec(job, staged_dir, keys[job.slug]), pure=False,
                                               key=f"grade-{job.slug}-{job.student}-{os.urandom(4).hex()}")
                    finally:
                        intake.remove_tree(staged_dir)
                    held[future] = (job, staged.notes, timestamp)
                    running.add(future)
                if not held:
                    continue
                future = next(running)
                job, notes, timestamp = held.pop(future)
                try:
                    result = future.result()
                except Exception as error:  # the worker died too often, or the task raised
                    lost = future.status != "error"  # computed, then lost with its worker before it was gathered
                    retries[job] = retries.get(job, 0) + 1
                    if lost and retries[job] <= MAX_RETRIES:
                        log(f"  {job.student} {job.slug}: its result was lost with a worker; grading it again")
                        pending.append(job)
                        continue
                    reason = f"{type(error).__name__}: {str(error)[:200]}"
                    yield job, (_failed(job, ERROR, f"the grader failed on this submission on the cluster ({reason}); "
                                                    "tell your instructor."), 0.0)
                    continue
                finally:
                    future.release()
                report = _report_from(result["report"])
                if notes and report.status not in (MISSING, INVALID):
                    report.message = f"{' '.join(notes)} {report.message}"
                save_result(job, report, result["files"], timestamp)
                yield job, (report, result["seconds"])
        finally:
            shutil.rmtree(staging_root, ignore_errors=True)
    finally:
        client.close()
        if cluster is not None:
            cluster.close()
