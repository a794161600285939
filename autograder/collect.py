"""``make collect ZIP=<LMS download> ASSIGNMENT=<slug>``: build ``submitted/`` from the zip an LMS
gives for one assignment, through nbgrader's ``zip_collect`` (its ZipCollectApp, with this
course's extractor and file-name collector plugins).

- The zip is kept in nbgrader's layout, ``downloaded/<slug>/archive/`` (named by its content, so
  collecting the same download twice changes nothing), and every zip there is read each time: a
  second download with a resubmission is simply collected again.
- Extraction is safe: no absolute path, ``..`` or link is written, each member is read up to
  intake's per-file bound, and the number of members and their total size are bounded.
- File names are read with a preset (``canvas``, ``moodle``) or the course's own pattern; the
  newest submission of each student wins (the time the name carries, else the time the LMS gave
  the file in the zip; Canvas's submission id breaks ties) and is never replaced by an older one
  already in ``submitted/``. Its time lands in nbgrader's ``timestamp.txt``, which the autograde
  step reads to decide lateness.
- Every file that is not collected is listed with the reason: matches no student, not a notebook,
  another assignment's notebook, an older submission, unsafe.
"""
from __future__ import annotations

import datetime
import hashlib
import logging
import os
import re
import shutil
import stat
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from nbgrader.plugins import ExtractorPlugin, FileNameCollectorPlugin
from traitlets import Unicode

from . import intake, paths
from .config import CourseError, course_settings, nbgrader_config

PRESETS = {
    # <name>_<userid>_<submissionid>_<filename>, with _LATE_ after the name for late submissions
    "canvas": r"^(?P<name>[^_/]+)_(?:(?P<late>LATE)_)?(?P<student_id>\d+)_(?P<submission_id>\d+)_(?P<file_id>[^/]+)$",
    # <Full Name>_<id>_assignsubmission_file_<filename> (or a folder of that name holding the file)
    "moodle": r"^(?P<name>[^_/]+)_(?P<student_id>\d+)_assignsubmission_file_/?(?P<file_id>[^/]+)$",
}
MAX_MEMBERS = 20_000             # files in one LMS download
MAX_ARCHIVE_BYTES = 4 * 2**30    # everything extracted from one download
RESUBMISSION_SUFFIX = re.compile(r"^(?P<stem>.+?)(?:-\d+| \(\d+\))$")  # Canvas "-1", Moodle/browser " (1)"
UTC = datetime.timezone.utc


class CollectError(Exception):
    """The download cannot be collected; the message says why."""


@dataclass
class Outcome:
    collected: dict[str, str] = field(default_factory=dict)   # student -> "file, submitted <time>"
    skipped: list[str] = field(default_factory=list)          # one sentence per file left out
    late_marked: list[str] = field(default_factory=list)      # students the LMS marked late
    unchanged: list[str] = field(default_factory=list)        # students whose newest was collected before


def _unsafe_name(name: str) -> str | None:
    """Why a zip member's name cannot be written as it is (None when it can)."""
    if "\x00" in name or name.startswith(("/", "\\")) or re.match(r"^[A-Za-z]:", name):
        return "an absolute path"
    parts = [p for p in name.replace("\\", "/").split("/") if p not in ("", ".")]
    if any(p == ".." for p in parts):
        return "a path leaving the folder ('..')"
    if len(parts) > intake.MAX_DEPTH + 1:
        return f"folders nested deeper than {intake.MAX_DEPTH}"
    if not parts:
        return "an empty name"
    return None


class SafeExtractor(ExtractorPlugin):
    """Extracts each zip in the archive folder into its own folder of the extracted folder: regular
    files only, bounded, never outside; what is left out is kept in ``skipped``."""

    timezone = Unicode("UTC").tag(config=True)

    def extract(self, archive_path: str, extracted_path: str) -> None:
        self.skipped: list[str] = []
        total = members = 0
        zone = _zone(self.timezone)
        for archive in sorted(Path(archive_path).iterdir()):
            if archive.is_symlink() or not archive.is_file():
                self.skipped.append(f"{archive.name}: not a regular file in the archive folder")
                continue
            target = Path(extracted_path) / archive.stem
            target.mkdir(mode=0o700)
            try:
                with zipfile.ZipFile(archive) as zf:
                    for info in zf.infolist():
                        members += 1
                        if members > MAX_MEMBERS:
                            raise CollectError(f"{archive.name} has more than {MAX_MEMBERS} files; it was not collected")
                        total += self._member(zf, info, target, zone, MAX_ARCHIVE_BYTES - total)
            except zipfile.BadZipFile as error:
                raise CollectError(f"{archive.name} is not a zip file that can be read ({error})") from None

    def _member(self, zf: zipfile.ZipFile, info: zipfile.ZipInfo, target: Path, zone, budget: int) -> int:
        name = info.filename
        shown = intake.shown(name, 120)
        if info.is_dir():
            return 0
        why = _unsafe_name(name)
        mode = info.external_attr >> 16
        if why is None and stat.S_IFMT(mode) not in (0, stat.S_IFREG):
            why = "a link" if stat.S_ISLNK(mode) else "not a regular file"
        if why is None and info.file_size > intake.MAX_FILE_BYTES:
            why = f"larger than {intake.MAX_FILE_BYTES // 2**20} MiB"
        if why is None and info.file_size > budget:
            raise CollectError(f"the download unpacks to more than {MAX_ARCHIVE_BYTES // 2**30} GiB; it was not collected")
        if why is not None:
            self.skipped.append(f"{shown}: {why}; not extracted")
            return 0
        limit = min(intake.MAX_FILE_BYTES, budget)
        with zf.open(info) as source:  # the header's size is not trusted: read at most the bound
            data = source.read(limit + 1)
        if len(data) > limit:
            self.skipped.append(f"{shown}: larger than {limit // 2**20} MiB once unpacked; not extracted")
            return 0
        parts = [p for p in name.replace("\\", "/").split("/") if p not in ("", ".")]
        folder = target
        for part in parts[:-1]:
            folder = folder / part
            if folder.is_symlink() or (folder.exists() and not folder.is_dir()):
                self.skipped.append(f"{shown}: its folder clashes with a file; not extracted")
                return 0
            folder.mkdir(mode=0o700, exist_ok=True)
        try:
            fd = os.open(folder / parts[-1], os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC, 0o600)
        except FileExistsError:
            self.skipped.append(f"{shown}: a second file of the same name in the zip; not extracted")
            return 0
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        when = datetime.datetime(*info.date_time, tzinfo=zone).timestamp()
        os.utime(folder / parts[-1], (when, when))
        return len(data)


def _zone(name: str):
    from dateutil.tz import gettz

    zone = gettz(name)
    if zone is None:
        raise CourseError(f"c.BackpropLab.zip_timezone: no time zone {name!r} (e.g. 'UTC', 'Europe/Berlin')")
    return zone


def _parse_time(text: str) -> datetime.datetime | None:
    """A time from a file name, as naive UTC (nbgrader's convention), or None."""
    from nbgrader.utils import parse_utc

    for attempt in (lambda: parse_utc(text),
                    lambda: datetime.datetime.strptime(text, "%Y-%m-%d-%H-%M-%S"),
                    lambda: datetime.datetime.strptime(text, "%Y%m%d%H%M%S")):
        try:
            return attempt()
        except (ValueError, OverflowError):
            continue
    return None


def _same_file(ours: Path, theirs: Path) -> bool:
    try:
        return not ours.is_symlink() and ours.is_file() and ours.read_bytes() == theirs.read_bytes()
    except OSError:
        return False


def _existing_time(folder: Path) -> datetime.datetime | None:
    try:
        return _parse_time((folder / "timestamp.txt").read_text(encoding="utf-8").strip())
    except (OSError, UnicodeDecodeError):
        return None


class NewestSubmission(FileNameCollectorPlugin):
    """Reads student and file from each extracted file's name; hands nbgrader only the newest
    notebook of each student, under the name it was submitted with (an LMS's resubmission suffix,
    ``-1`` or `` (1)``, removed). What it leaves out is kept in ``skipped``."""

    slug = Unicode().tag(config=True)

    def collect(self, submitted_file: str):
        if getattr(self, "plan", None) is None:
            self.plan = self._choose()
        return self.plan.get(submitted_file)

    def _choose(self) -> dict[str, dict]:
        app = self.parent
        root = Path(app._format_collect_path(app.extracted_directory))
        submitted = Path(app.coursedir.format_path(app.coursedir.submitted_directory, "STUDENT", self.slug)).parent.parent
        self.skipped: list[str] = []
        self.late_marked: list[str] = []
        self.chosen: dict[str, str] = {}
        self.unchanged: list[str] = []
        pattern = re.compile(self.named_regexp)
        candidates: dict[str, list[tuple]] = {}
        others = set(paths.slugs()) - {self.slug}
        for path in sorted(p for p in root.rglob("*") if p.is_file() and not p.is_symlink()):
            relative = path.relative_to(root)
            inside = "/".join(relative.parts[1:])  # the path inside its zip
            shown = intake.shown(inside, 120)
            match = pattern.match(inside)
            if not match:
                self.skipped.append(f"{shown}: matches no student (the file name does not follow the naming "
                                    "of this LMS)")
                continue
            info = match.groupdict()
            student, file_id = info.get("student_id") or "", os.path.basename(info.get("file_id") or "")
            if not intake.valid_student_id(student):
                self.skipped.append(f"{shown}: {intake.shown(student)} is not a valid student id")
                continue
            stem, ext = os.path.splitext(file_id)
            if ext != ".ipynb":
                self.skipped.append(f"{shown} (student {student}): not a notebook; not collected")
                continue
            if (m := RESUBMISSION_SUFFIX.match(stem)) and m.group("stem") == self.slug:
                stem = self.slug
            if stem in others:
                self.skipped.append(f"{shown} (student {student}): the notebook of another assignment, {stem}; "
                                    f"not collected for {self.slug}")
                continue
            when = _parse_time(info["timestamp"]) if info.get("timestamp") else None
            if info.get("timestamp") and when is None:
                self.skipped.append(f"{shown}: cannot read the time {intake.shown(info['timestamp'])} in its name")
                continue
            if when is None:
                when = datetime.datetime.fromtimestamp(path.stat().st_mtime, UTC).replace(tzinfo=None)
            order = int(info.get("submission_id") or 0)
            candidates.setdefault(student, []).append((when, order, str(path), stem + ext, bool(info.get("late")), shown))
        plan = {}
        for student, found in sorted(candidates.items()):
            found.sort()
            when, _, path, file_id, late, shown = found[-1]
            for older in found[:-1]:
                self.skipped.append(f"{older[5]} (student {student}): an older submission; the newest, of "
                                    f"{when:%Y-%m-%d %H:%M} UTC, is collected")
            folder = submitted / student / self.slug
            existing = _existing_time(folder)
            if existing == when and _same_file(folder / file_id, Path(path)):
                self.unchanged.append(student)  # collected before from the same download
                continue
            if existing is not None and existing > when:
                self.skipped.append(f"{shown} (student {student}): older than the submission already in "
                                    f"submitted/ (of {existing:%Y-%m-%d %H:%M} UTC); that one is kept")
                continue
            plan[path] = {"student_id": student, "file_id": file_id, "timestamp": f"{when:%Y-%m-%d %H:%M:%S} UTC"}
            self.chosen[student] = f"{file_id}, submitted {when:%Y-%m-%d %H:%M} UTC"
            if late:
                self.late_marked.append(student)
        return plan


class _Errors(logging.Handler):
    def __init__(self):
        super().__init__(logging.ERROR)
        self.messages: list[str] = []

    def emit(self, record):
        self.messages.append(record.getMessage())


def collect(course_root: Path, slug: str, download: Path, lms: str | None = None, pattern: str | None = None,
            log=print) -> Outcome:
    """Collect ``download`` (an LMS zip) for ``slug`` into ``course_root/submitted``."""
    from nbgrader.apps.zipcollectapp import ZipCollectApp
    from nbgrader.coursedir import CourseDirectory

    settings = course_settings(course_root)
    lms = lms or settings.lms
    regexp = pattern or (settings.collect_pattern if lms == "pattern" else PRESETS.get(lms))
    if not regexp:
        raise CollectError(f"no file-name pattern: set c.BackpropLab.collect_pattern (or PATTERN=) for lms "
                           f"'pattern', or choose {' or '.join(PRESETS)}")
    try:
        compiled = re.compile(regexp)
    except re.error as error:
        raise CollectError(f"the file-name pattern is not a regular expression ({error})") from None
    if not {"student_id", "file_id"} <= set(compiled.groupindex):
        raise CollectError("the file-name pattern needs the groups (?P<student_id>...) and (?P<file_id>...)")
    if download.is_symlink() or not download.is_file():
        raise CollectError(f"no zip file {download}")
    if not zipfile.is_zipfile(download):
        raise CollectError(f"{download} is not a zip file")

    archive = course_root / "downloaded" / slug / "archive"
    archive.mkdir(parents=True, exist_ok=True)
    digest = hashlib.sha256()
    with download.open("rb") as handle:
        while chunk := handle.read(2**20):
            digest.update(chunk)
    kept = archive / f"{download.stem[:60]}-{digest.hexdigest()[:12]}.zip"
    if not kept.exists():
        shutil.copyfile(download, kept)

    config = nbgrader_config(course_root)
    config.ZipCollectApp.force = True            # a newer submission replaces a student's folder
    config.ExtractorPlugin.force = True
    config.ZipCollectApp.extractor_plugin = SafeExtractor
    config.ZipCollectApp.collector_plugin = NewestSubmission
    config.FileNameCollectorPlugin.named_regexp = regexp
    config.NewestSubmission.slug = slug
    config.SafeExtractor.timezone = settings.zip_timezone
    app = ZipCollectApp(config=config)
    app.log_level = logging.ERROR
    errors = _Errors()
    app.log.addHandler(errors)
    app.coursedir = CourseDirectory(config=config)
    app.coursedir.assignment_id = slug
    try:
        app.init_plugins()
        app.extract_archive_files()
        app.process_extracted_files()
    except SystemExit:
        raise CollectError("nbgrader zip_collect failed: " + ("; ".join(errors.messages) or "no reason given")) from None
    finally:
        app.log.removeHandler(errors)
    collector = app.collector_plugin_inst
    outcome = Outcome(dict(getattr(collector, "chosen", {})),
                      getattr(app.extractor_plugin_inst, "skipped", []) + getattr(collector, "skipped", []),
                      getattr(collector, "late_marked", []), getattr(collector, "unchanged", []))
    log(f"Collected {len(outcome.collected)} submission(s) of {slug} from {len(list(archive.iterdir()))} "
        f"download(s) in {archive.relative_to(course_root)}/ ({lms} naming) into submitted/"
        + (f"; {len(outcome.unchanged)} student(s) unchanged since collected before" if outcome.unchanged else "")
        + (":" if outcome.collected else "."))
    for student, what in sorted(outcome.collected.items()):
        log(f"  {student}: {what}" + ("  (the LMS marked it late)" if student in outcome.late_marked else ""))
    if outcome.skipped:
        log(f"Not collected ({len(outcome.skipped)}):")
        for line in outcome.skipped:
            log(f"  {line}")
    return outcome
