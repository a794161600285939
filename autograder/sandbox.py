"""Where and how a student's kernel runs.

The best isolation the machine offers is used, and ``describe`` says which protections hold:

- ``bubblewrap``: the kernel sees only the system, the Python environment and read-only copies of
  the assignment's support files (not the course folder, solutions, gradebook or other students);
  it writes only to size-limited tmpfs folders that vanish with it; no network; its own process
  namespace, so it cannot signal the grader and everything it started dies with it; an
  unprivileged user (when the grader is root); resource limits.
- ``user`` (root without bubblewrap): an unprivileged user and resource limits; the kernel can
  still read world-readable files.
- ``limits``: resource limits only.
"""
from __future__ import annotations

import os
import pwd
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from .intake import remove_tree

CONFINE = Path(__file__).resolve().parent / "confine.py"
WORKDIR = Path("/home/student")  # the kernel's working folder inside bubblewrap (a tmpfs)
HIDDEN_DATA = Path("/usr/share/datasets")
# NBGRADER_EXECUTION lets a notebook skip long work (full-data training) while it is autograded.
PASSED_ENV = ("LANG", "LC_ALL", "OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE", "TZ", "NBGRADER_EXECUTION")


@dataclass(frozen=True)
class Limits:
    memory: int = 4 * 2**30      # bytes of address space
    cpu: int = 1800              # CPU seconds for the whole kernel
    processes: int = 512         # processes and threads of the sandbox user
    file_size: int = 64 * 2**20  # bytes per file written
    open_files: int = 512
    tmp: int = 256 * 2**20       # bytes of each of the kernel's tmpfs folders, WORKDIR and /tmp (bubblewrap)


@dataclass(frozen=True)
class Isolation:
    mode: str                  # "bubblewrap", "user" or "limits"
    uid: int | None = None     # the unprivileged user the kernel runs as
    gid: int | None = None
    why: str = ""              # why a stronger mode is not available

    def describe(self, limits: Limits) -> list[str]:
        lines = [f"resource limits: {limits.memory / 2**30:g} GiB memory, {limits.cpu} s CPU, "
                 f"{limits.processes} processes, {limits.file_size // 2**20} MiB per file"]
        if self.uid is not None:
            lines.append(f"runs as unprivileged uid {self.uid}: cannot signal the grader")
        if self.mode == "bubblewrap":
            lines += ["bubblewrap: cannot see the course folder, solutions, gradebook, other students or "
                      f"{HIDDEN_DATA} (held-out labels)",
                      "no network; every process it starts is killed with it",
                      f"writes only to two tmpfs folders of {limits.tmp // 2**20} MiB each, gone when it stops"]
        else:
            lines += [f"WARNING: bubblewrap isolation is not available ({self.why}).",
                      "WARNING: student code can READ any file this user can read (solutions, other "
                      "students' notebooks), and processes that detach may outlive their kernel.",
                      "WARNING: verdicts are still computed outside the kernel and the gradebook is "
                      "written only by the grader. Install bubblewrap (Debian: apt-get install "
                      "bubblewrap) for full isolation."]
        return lines


def _unprivileged_user() -> tuple[int, int] | None:
    if os.geteuid() != 0:
        return None
    try:
        entry = pwd.getpwnam("nobody")
    except KeyError:
        return None
    return entry.pw_uid, entry.pw_gid


def kernel_env(home: Path) -> dict[str, str]:
    """The whole environment of a kernel whose working folder is ``home``: nothing of the grader's leaks in."""
    env = {name: os.environ[name] for name in PASSED_ENV if name in os.environ}
    env.update(PATH=f"{Path(sys.executable).parent}:/usr/local/bin:/usr/bin:/bin", HOME=str(home),
               TMPDIR="/tmp", PYTHONNOUSERSITE="1", MPLBACKEND="Agg", MPLCONFIGDIR=str(home / ".config"),
               IPYTHONDIR=str(home / ".ipython"), OPENBLAS_NUM_THREADS="1", OMP_NUM_THREADS="1",
               MKL_NUM_THREADS="1", PYTHONIOENCODING="utf-8")
    return env


def _mount_points(paths: list[Path]) -> list[str]:
    """bwrap arguments creating every parent of ``paths`` world-traversable (0755)."""
    made: list[str] = []
    for path in paths:
        for parent in reversed(path.parents[:-1]):
            if str(parent) not in made and parent != Path("/usr") and Path("/usr") not in parent.parents:
                made.append(str(parent))
    return [arg for p in made for arg in ("--perms", "0755", "--dir", p)]


def bwrap_args(scratch: Path, limits: Limits, isolation: Isolation, options: tuple[str, ...] = ()) -> list[str]:
    """bubblewrap's arguments up to the command, with further bubblewrap ``options``."""
    python_dirs = sorted({Path(sys.base_prefix).resolve(), Path(sys.prefix).absolute()})
    python_dirs = [p for p in python_dirs if p != Path("/usr") and Path("/usr") not in p.parents]
    args = ["bwrap", "--die-with-parent", "--unshare-ipc", "--unshare-pid", "--unshare-net", "--unshare-uts",
            "--ro-bind", "/usr", "/usr", "--ro-bind", "/etc", "/etc"]
    if HIDDEN_DATA.is_dir():  # Debian's data sets hold the labels of the held-out test images
        args += ["--tmpfs", str(HIDDEN_DATA)]
    for top in ("bin", "sbin", "lib", "lib32", "lib64", "libx32"):
        path = Path("/") / top
        if path.is_symlink():
            args += ["--symlink", os.readlink(path), str(path)]
        elif path.is_dir():
            args += ["--ro-bind", str(path), str(path)]
    args += ["--proc", "/proc", "--dev", "/dev", "--perms", "01777", "--size", str(limits.tmp), "--tmpfs", "/tmp"]
    args += _mount_points(python_dirs + [scratch])
    for path in python_dirs:
        args += ["--ro-bind", str(path), str(path)]
    # The scratch folder holds only the connection file and the sockets (see lock_scratch).
    args += ["--bind", str(scratch), str(scratch), "--perms", "0777", "--size", str(limits.tmp), "--tmpfs", str(WORKDIR)]
    for path in sorted((scratch / "files").iterdir()):
        args += ["--ro-bind", str(path), str(WORKDIR / path.name)]
    args += ["--chdir", str(WORKDIR), "--clearenv"]
    for name, value in kernel_env(WORKDIR).items():
        args += ["--setenv", name, value]
    args += [*options, "--"]
    return args


def as_user(isolation: Isolation) -> list[str]:
    """The command prefix that runs the rest as ``isolation``'s unprivileged user (none without one)."""
    if isolation.uid is None:
        return []
    return ["setpriv", f"--reuid={isolation.uid}", f"--regid={isolation.gid}", "--clear-groups", "--inh-caps=-all", "--"]


def wrap(command: list[str], scratch: Path, limits: Limits, isolation: Isolation) -> list[str]:
    """``command`` (a kernel's argv) as it runs under ``isolation``."""
    confine = [sys.executable, "-I", str(CONFINE), "--memory", str(limits.memory), "--cpu", str(limits.cpu),
               "--processes", str(limits.processes), "--file-size", str(limits.file_size),
               "--open-files", str(limits.open_files)]
    if isolation.mode == "bubblewrap":
        return confine + ["--"] + bwrap_args(scratch, limits, isolation) + as_user(isolation) + command
    if isolation.uid is not None:
        confine += ["--uid", str(isolation.uid), "--gid", str(isolation.gid)]
    return confine + ["--"] + command


def support_files(folder: Path) -> list[Path]:
    """The files of ``folder`` a kernel gets beside it: plain files, not notebooks, not the grader's report."""
    return sorted(p for p in folder.iterdir() if p.is_file() and not p.is_symlink()
                  and p.suffix != ".ipynb" and p.name != "grading.json")


def make_scratch(support: Path, isolation: Isolation, root: Path | None = None) -> Path:
    """A private folder for one kernel, in ``root`` (the system's temporary folder by default): its
    sockets and connection file, and in ``files/`` copies of the assignment's support files (the
    kernel's working folder outside bubblewrap)."""
    scratch = Path(tempfile.mkdtemp(prefix="bplab-kernel-", dir=root))
    files = scratch / "files"
    files.mkdir()
    for path in support_files(support):
        shutil.copy(path, files / path.name)
    if isolation.uid is not None:
        os.chmod(scratch, 0o777)  # the kernel creates its sockets here; lock_scratch closes it
    if isolation.mode != "bubblewrap":
        for folder in (".config", ".ipython"):
            (files / folder).mkdir()
        if isolation.uid is not None:
            for path in [files, *files.rglob("*")]:
                os.chown(path, isolation.uid, isolation.gid)
    return scratch


def working_folder(scratch: Path, isolation: Isolation) -> Path:
    """Where the kernel starts, as the grader starts it."""
    return WORKDIR if isolation.mode == "bubblewrap" else scratch / "files"


def lock_scratch(scratch: Path) -> None:
    """Once the kernel has made its sockets, it may create nothing more in the scratch folder
    (holds when the kernel runs as another user, i.e. when the grader is root)."""
    os.chmod(scratch, 0o755)


@lru_cache(maxsize=None)
def detect() -> Isolation:
    """The strongest isolation that works here, checked by running Python inside it."""
    user = _unprivileged_user()
    uid, gid = user if user else (None, None)
    if shutil.which("bwrap") is None:
        why = "the bwrap command is not installed"
    else:
        candidate = Isolation("bubblewrap", uid, gid)
        scratch = make_scratch(CONFINE.parent / "student", candidate)
        try:
            probe = wrap([sys.executable, "-c", "import numpy, os; os.listdir('.')"], scratch, Limits(), candidate)
            result = subprocess.run(probe, capture_output=True, text=True, timeout=60)
            if result.returncode == 0:
                return candidate
            why = f"bwrap failed: {(result.stderr.strip().splitlines() or ['exit ' + str(result.returncode)])[-1]}"
        except (OSError, subprocess.TimeoutExpired) as error:
            why = f"bwrap failed: {error}"
        finally:
            remove_tree(scratch)
    if uid is not None:
        return Isolation("user", uid, gid, why)
    return Isolation("limits", why=why)
