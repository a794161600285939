"""``make report``: a page per assignment on how the class did, from the grading reports under
``autograded/`` (``grading.json``) — for the instructor, not the students.

``class-report/<slug>.html`` shows, with PNG plots made by matplotlib beside it:
- the score distribution of every task,
- the most common failure of every task, with the number of students (a student's failure is
  the problem their failed hidden cases report most; numbers are replaced by ``#`` so one mistake
  made with different values counts once),
- the submissions' statuses,
- the grading time of every notebook (as ``make autograde`` measured it; else the time the
  student's code took on the hidden cases).
"""
from __future__ import annotations

import html
import json
import re
from collections import Counter
from pathlib import Path

from . import catalogue
from .course import Course
from .report import SubmissionReport

FOLDER = "class-report"
TOP_MESSAGES = 5
NUMBER = re.compile(r"[-+]?\d+(?:\.\d+)?(?:e[-+]?\d+)?", re.IGNORECASE)


def _seconds(folder: Path, report: SubmissionReport) -> float:
    from .regrade import stored

    seconds = stored(folder).get("seconds")
    if isinstance(seconds, (int, float)):
        return float(seconds)
    return round(sum(t.seconds for t in report.tasks), 2)


def load(course_root: Path, slug: str, students: list[str] | None = None) -> list[tuple[SubmissionReport, float]]:
    """Every readable report of ``slug`` with its grading time."""
    course = Course(course_root)
    out = []
    for student, _ in course.submissions([slug], students):
        folder = course.autograded(student, slug)
        if not course.report(student, slug).is_file():
            continue
        try:
            report = SubmissionReport.read(folder)
        except (ValueError, TypeError, KeyError, json.JSONDecodeError):
            continue
        if report is not None:
            out.append((report, _seconds(folder, report)))
    return out


def failure_kind(message: str) -> str:
    """A message with its numbers replaced, so the same mistake counts once."""
    return NUMBER.sub("#", " ".join(message.split()))[:200]


def task_failure(task) -> str:
    """What went wrong in a task: the problem its failed hidden cases report most (else its message)."""
    problems = Counter(failure_kind(c.problems[0]) for c in task.cases if not c.passed and c.problems)
    return problems.most_common(1)[0][0] if problems else failure_kind(task.message)


def failures(reports: list[SubmissionReport], task: str) -> list[tuple[str, int]]:
    """The most common failures of ``task``, each with the number of students it happened to."""
    counts = Counter(task_failure(t) for r in reports for t in r.tasks if t.task == task and t.score < t.points)
    return counts.most_common(TOP_MESSAGES)


def _plots(slug: str, graded: list[tuple[SubmissionReport, float]], target: Path) -> dict[str, str]:
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    reports = [r for r, _ in graded]
    tasks = catalogue.tasks(slug)
    files = {}

    columns = min(3, len(tasks))
    rows = -(-len(tasks) // columns)
    fig, axes = plt.subplots(rows, columns, figsize=(4 * columns, 2.8 * rows), squeeze=False)
    for ax, task in zip(axes.flat, tasks):
        scores = [t.score for r in reports for t in r.tasks if t.task == task.name]
        bins = [i * task.points / 10 for i in range(11)]
        ax.hist(scores, bins=bins, color="#4c72b0", edgecolor="white")
        ax.set_title(f"{task.name} ({task.points:g} pts)", fontsize=9)
        ax.set_xlabel("score")
        ax.set_ylabel("students")
        ax.yaxis.get_major_locator().set_params(integer=True)
    for ax in list(axes.flat)[len(tasks):]:
        ax.axis("off")
    fig.suptitle(f"{slug}: score distribution per task")
    fig.tight_layout()
    files["scores"] = f"{slug}-scores.png"
    fig.savefig(target / files["scores"], dpi=80)
    plt.close(fig)

    failing = [(task.name, failures(reports, task.name)) for task in tasks]
    failing = [(name, top) for name, top in failing if top]
    if failing:
        fig, axes = plt.subplots(len(failing), 1, figsize=(9, 1.2 + 0.6 * len(failing) + 0.35 * sum(len(t) for _, t in failing)),
                                 squeeze=False)
        for ax, (name, top) in zip(axes.flat, failing):
            labels = [m if len(m) <= 70 else m[:69] + "…" for m, _ in top][::-1]
            ax.barh(range(len(top)), [n for _, n in top][::-1], color="#dd8452")
            ax.set_yticks(range(len(top)), labels, fontsize=7)
            ax.set_title(name, fontsize=9, loc="left")
            ax.xaxis.get_major_locator().set_params(integer=True)
        fig.suptitle(f"{slug}: most common failures per task (students)")
        fig.tight_layout()
        files["failures"] = f"{slug}-failures.png"
        fig.savefig(target / files["failures"], dpi=80)
        plt.close(fig)

    statuses = Counter(str(r.status) for r in reports)
    fig, ax = plt.subplots(figsize=(6, 2.5))
    names = sorted(statuses)
    ax.bar(names, [statuses[n] for n in names], color="#55a868")
    ax.set_ylabel("submissions")
    ax.set_title(f"{slug}: statuses")
    ax.yaxis.get_major_locator().set_params(integer=True)
    plt.setp(ax.get_xticklabels(), fontsize=8)
    fig.tight_layout()
    files["statuses"] = f"{slug}-statuses.png"
    fig.savefig(target / files["statuses"], dpi=80)
    plt.close(fig)

    ordered = sorted(graded, key=lambda rs: rs[1])
    fig, ax = plt.subplots(figsize=(7, max(2.2, 0.8 + 0.22 * len(ordered))))
    ax.barh([r.student for r, _ in ordered], [s for _, s in ordered], color="#8172b3")
    ax.set_xlabel("seconds")
    ax.set_title(f"{slug}: grading time per notebook")
    plt.setp(ax.get_yticklabels(), fontsize=7)
    fig.tight_layout()
    files["times"] = f"{slug}-times.png"
    fig.savefig(target / files["times"], dpi=80)
    plt.close(fig)
    return files


def page(slug: str, graded: list[tuple[SubmissionReport, float]], files: dict[str, str]) -> str:
    esc = html.escape
    reports = [r for r, _ in graded]
    tasks = catalogue.tasks(slug)
    rows = []
    for task in tasks:
        scores = [t.score for r in reports for t in r.tasks if t.task == task.name]
        full = sum(s >= task.points for s in scores)
        mean = sum(scores) / len(scores) if scores else 0.0
        top = failures(reports, task.name)
        listed = "".join(f"<li>{n} × {esc(m)}</li>" for m, n in top) or "<li>none</li>"
        rows.append(f"<tr><td>{esc(task.name)}</td><td>{task.points:g}</td><td>{mean:.2f}</td>"
                    f"<td>{full} of {len(scores)}</td><td><ul>{listed}</ul></td></tr>")
    images = "".join(f'<h2>{esc(title)}</h2><img src="{esc(files[key])}" alt="{esc(title)}">'
                     for key, title in [("scores", "Score distribution per task"),
                                        ("failures", "Most common failures per task"),
                                        ("statuses", "Statuses"), ("times", "Grading time per notebook")]
                     if key in files)
    total = sum(t.points for t in tasks)
    scores = sorted(sum(t.score for t in r.tasks) for r in reports)
    median = scores[len(scores) // 2] if scores else 0.0
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; img-src 'self'; style-src 'unsafe-inline'">
<title>{esc(slug)}: class report</title>
<style>body{{font-family:sans-serif;max-width:60em;margin:1em auto}} table{{border-collapse:collapse}}
td,th{{border:1px solid #ccc;padding:.3em .6em;vertical-align:top;text-align:left}} img{{max-width:100%}}
ul{{margin:0;padding-left:1.2em}}</style></head><body>
<h1>{esc(slug)}: class report</h1>
<p>{len(reports)} graded submission(s); median total {median:g} of {total:g}.</p>
<table><tr><th>task</th><th>points</th><th>mean</th><th>full marks</th><th>most common failures (students)</th></tr>
{''.join(rows)}</table>
{images}
</body></html>
"""


def write(course_root: Path, slugs: list[str], students: list[str] | None = None, log=print) -> list[Path]:
    """``class-report/<slug>.html`` and its plots for every assignment with a graded submission."""
    target = course_root / FOLDER
    target.mkdir(exist_ok=True)
    written = []
    for slug in slugs:
        graded = load(course_root, slug, students)
        if not graded:
            continue
        files = _plots(slug, graded, target)
        path = target / f"{slug}.html"
        path.write_text(page(slug, graded, files), encoding="utf-8")
        written.append(path)
    log(f"Class report of {len(written)} assignment(s) in {target}:")
    return written
