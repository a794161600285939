"""``make release-feedback``: hands the feedback pages of submissions that came through nbgrader's
exchange (a JupyterHub course) back through it, with nbgrader's own ``release_feedback``; students
then press *Fetch Feedback*.

nbgrader finds a student's page by the submission's ``timestamp.txt`` and ``submission_secret.txt``,
which ``make feedback`` copies next to the page when the exchange wrote them. A submission from an
LMS download has no secret: its page is listed here, to be handed back on the LMS instead.
"""
from __future__ import annotations

from pathlib import Path

from .course import Course, ready_for_nbgrader
from .feedback import EXCHANGE_FILES


class HandbackError(Exception):
    """Nothing could be released; the message says why in one sentence."""


def release(course_root: Path, slugs: list[str], students: list[str] | None = None, log=print) -> int:
    """Releases every exchange submission's page to the exchange; returns how many were released."""
    from nbgrader.auth import Authenticator
    from nbgrader.coursedir import CourseDirectory
    from nbgrader.exchange import ExchangeError, ExchangeFactory

    ready_for_nbgrader()
    course = Course(course_root)
    config = course.config
    released = 0
    for slug in slugs:
        pages = {student: course.feedback(student, slug) for student, _ in course.submissions([slug], students)
                 if course.page(student, slug).is_file()}
        ready = sorted(s for s, folder in pages.items() if all((folder / name).is_file() for name in EXCHANGE_FILES))
        for student in sorted(set(pages) - set(ready)):
            log(f"  {student} {slug}: not from the exchange; hand back "
                f"{course.page(student, slug).relative_to(course.root)} on the LMS")
        if not ready:
            continue
        coursedir = CourseDirectory(config=config)
        coursedir.assignment_id = slug
        coursedir.student_id_exclude = ",".join(sorted(set(pages) - set(ready)))
        exchange = ExchangeFactory(config=config)
        try:
            exchange.ReleaseFeedback(coursedir=coursedir, authenticator=Authenticator(config=config),
                                     config=config).start()
        except ExchangeError as error:
            raise HandbackError(f"nbgrader's exchange refused the feedback of {slug} ({error}); is "
                                "c.Exchange.root set in the course's nbgrader_config.py?") from None
        for student in ready:
            log(f"  {student} {slug}: released to the exchange")
        released += len(ready)
    return released
