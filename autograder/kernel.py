"""A Jupyter kernel manager that starts the kernel inside the sandbox (see ``sandbox.py``)."""
from __future__ import annotations

import json
import os
import select
import signal
import socket
import subprocess
import sys
import time
from dataclasses import asdict
from pathlib import Path

import zmq.asyncio
from jupyter_client.asynchronous import AsyncKernelClient
from jupyter_client.manager import AsyncKernelManager
from traitlets import Bool, Type, default

from .confine import LIMITS as RLIMITS
from .sandbox import WORKDIR, Isolation, Limits, bwrap_args, kernel_env, support_files, working_folder, wrap


MAX_MESSAGE_BYTES = 64 * 2**20  # larger messages from the kernel are dropped by zmq, never decoded
# ipykernel_launcher's own start, with the debugger's module blocked: ipykernel then runs without a
# debugger instead of importing debugpy, 0.06 s of CPU at every kernel start (issue #12).
LAUNCH = ("import sys\nif sys.path[0] == '': del sys.path[0]\nsys.modules['debugpy'] = None\n"
          "from ipykernel import kernelapp\nkernelapp.launch_new_instance()")


ZYGOTE = Path(__file__).resolve().parent / "zygote.py"
# What bubblewrap runs in a sandbox whose kernel the fork server provides: it says the sandbox is
# set up, then lives as long as the pipe on its stdin is held open (by the kernel's keeper). It
# runs as root without capabilities (bwrap --cap-drop ALL), so the kernel's user cannot signal it.
PLACEHOLDER = ["sh", "-c", "echo ready && exec cat >/dev/null"]
SET_UP_SECONDS = 30  # for bubblewrap to set a sandbox up, and for the fork server to start

_contexts: dict[int, zmq.asyncio.Context] = {}


def _limited_context() -> zmq.asyncio.Context:
    """This process's zmq context for talking to kernels (one per process: making and ending one per
    kernel cost 20-50 ms of every notebook, issue #12). Each kernel still has sockets of its own."""
    pid = os.getpid()  # a context must not cross a fork
    if pid not in _contexts:
        context = zmq.asyncio.Context()
        context.setsockopt(zmq.MAXMSGSIZE, MAX_MESSAGE_BYTES)  # a default for every socket made from it
        context.setsockopt(zmq.LINGER, 0)  # nothing is left to send to a kernel that is done with
        # A client connects before its kernel has bound its sockets; zmq retries every 100 ms by default,
        # which left a kernel that was ready in 30 ms unanswered for up to 0.1 s more (issue #12).
        context.setsockopt(zmq.RECONNECT_IVL, 10)
        _contexts[pid] = context
    return _contexts[pid]


class LimitedKernelClient(AsyncKernelClient):
    """A kernel client whose sockets refuse messages over MAX_MESSAGE_BYTES."""

    @default("context")
    def _context_default(self) -> zmq.asyncio.Context:
        return _limited_context()

    async def _async_wait_for_ready(self, timeout: float | None = None) -> None:
        """jupyter_client's readiness check (a kernel_info reply on shell, then a message on IOPub so
        IOPub is known to be connected, then IOPub drained), polling IOPub every 20 ms instead of
        waiting 200 ms for silence: that wait was 0.2 s of every notebook (issue #12). Late status
        messages of these requests are ignored anyway: every reader filters by its request's id."""
        from queue import Empty

        deadline = time.monotonic() + (float("inf") if timeout is None else timeout)
        while True:
            self.kernel_info()
            try:
                msg = await self.shell_channel.get_msg(timeout=1)
            except Empty:
                msg = None
            if msg is not None and msg["msg_type"] == "kernel_info_reply":
                try:
                    await self.iopub_channel.get_msg(timeout=0.2)
                except Empty:
                    pass
                else:
                    self._handle_kernel_info_reply(msg)
                    break
            if not await self._async_is_alive():
                raise RuntimeError("Kernel died before replying to kernel_info")
            if time.monotonic() > deadline:
                raise RuntimeError(f"Kernel didn't respond in {timeout:g} seconds")
        while True:
            try:
                await self.iopub_channel.get_msg(timeout=0.02)
            except Empty:
                break

    wait_for_ready = _async_wait_for_ready

    def start_channels(self, shell: bool = True, iopub: bool = True, stdin: bool = True, hb: bool = False,
                       control: bool = True) -> None:
        """No heartbeat thread: whether the kernel lives is asked of its manager (the process)."""
        super().start_channels(shell=shell, iopub=iopub, stdin=stdin, hb=hb, control=control)


class KernelForks:
    """A fork server (``zygote.py``) for this process's kernels: started once, it forks every
    kernel from an interpreter that has already imported ipykernel and numpy."""

    def __init__(self) -> None:
        self.channel, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        with theirs:
            self.process = subprocess.Popen(
                [sys.executable, "-c", ZYGOTE.read_text(), str(theirs.fileno()), str(os.getpid())],
                pass_fds=(theirs.fileno(),), env=kernel_env(WORKDIR), cwd="/", stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
        self.channel.settimeout(SET_UP_SECONDS)
        if not self._answer("ready"):
            raise OSError("the kernel fork server did not start")

    def _answer(self, key: str) -> bool:
        try:
            return json.loads(self.channel.recv(4096) or b"{}").get(key) is True
        except (OSError, ValueError):
            self.close()  # a late answer must not be taken for the next one
            return False

    def alive(self) -> bool:
        return self.process.poll() is None

    def fork(self, request: dict, keep: int) -> bool:
        """Ask for a kernel in the sandbox ``request`` names; ``keep`` is held until the kernel ends."""
        try:
            socket.send_fds(self.channel, [json.dumps(request).encode()], [keep])
        except OSError:
            self.close()
            return False
        return self._answer("forked")

    def close(self) -> None:
        self.channel.close()
        self.process.kill()
        self.process.wait()


_forks: dict[int, KernelForks | None] = {}


def kernel_forks() -> KernelForks | None:
    """This process's fork server, started on first use and again if it died; None if it could not start."""
    pid = os.getpid()  # a fork server serves the process that started it
    if pid in _forks and _forks[pid] is None:
        return None
    server = _forks.get(pid)
    if server is None or not server.alive():
        try:
            server = KernelForks()
        except OSError:
            server = None
        _forks[pid] = server
    return server


class SandboxedKernelManager(AsyncKernelManager):
    """Talks to the kernel over Unix sockets in its scratch folder (the sandbox has no network).
    Every socket to the kernel refuses messages over MAX_MESSAGE_BYTES. Under bubblewrap as root,
    the kernel comes from this process's fork server (see ``zygote.py``) unless that is off or fails."""

    client_factory = Type(klass=LimitedKernelClient, default_value=LimitedKernelClient)
    fork_server = Bool(True, help="Fork each kernel from a server that has imported ipykernel and numpy "
                                  "once (bubblewrap as root only) instead of starting a new interpreter.").tag(config=True)

    @default("context")
    def _context_default(self) -> zmq.asyncio.Context:
        return _limited_context()

    def configure(self, scratch: Path, isolation: Isolation, limits: Limits) -> None:
        self.scratch, self.isolation, self.limits = scratch, isolation, limits
        self.kernel_arguments: list[str] | None = None  # ipykernel's own, once format_kernel_cmd has run
        self.transport = "ipc"
        self.ip = str(scratch / "ipc")
        self.connection_file = str(scratch / "kernel.json")
        # Signals from outside do not reach into the sandbox's process namespace: the kernel is
        # asked to interrupt itself over its control channel instead.
        self.kernel_spec.interrupt_mode = "message"

    def format_kernel_cmd(self, extra_arguments=None):
        if self.isolation.uid is not None:  # the kernel reads its connection file as that user
            os.chown(self.connection_file, self.isolation.uid, self.isolation.gid)
        command = super().format_kernel_cmd(extra_arguments)
        for at in range(len(command) - 1):
            if command[at:at + 2] == ["-m", "ipykernel_launcher"]:
                command[at:at + 2] = ["-c", LAUNCH]
                self.kernel_arguments = command[at + 2:]
        return wrap(command, self.scratch, self.limits, self.isolation)

    async def _async_launch_kernel(self, kernel_cmd, **kw):
        home = working_folder(self.scratch, self.isolation)  # bubblewrap sets its own inside the sandbox
        kw.update(env=kernel_env(home), cwd=str(home if home.is_dir() else self.scratch), stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                  stderr=subprocess.DEVNULL)
        if self.fork_server and self.isolation.mode == "bubblewrap" and self.isolation.uid is not None \
                and self.kernel_arguments is not None:
            server = kernel_forks()
            if server is not None and await self._launch_forked(server, kw):
                return
        return await super()._async_launch_kernel(kernel_cmd, **kw)

    async def _launch_forked(self, server: KernelForks, kw: dict) -> bool:
        """Start the sandbox with a placeholder, then have ``server`` fork the kernel into it. False
        (and the sandbox gone) if that did not work: the kernel is then started as usual."""
        keep_r, keep_w = os.pipe()
        info_r, info_w = os.pipe()
        # bubblewrap says which sandbox it made on info_w
        command = bwrap_args(self.scratch, self.limits, self.isolation,
                             ("--info-fd", str(info_w), "--cap-drop", "ALL"))
        try:
            await super()._async_launch_kernel(command + PLACEHOLDER, **dict(
                kw, stdin=keep_r, stdout=subprocess.PIPE, pass_fds=(info_w,)))
        finally:
            os.close(keep_r)
            os.close(info_w)
        process = self.provisioner.process
        forked = False
        try:
            with process.stdout:
                ready = select.select([process.stdout], [], [], SET_UP_SECONDS)[0] and \
                    process.stdout.readline() == b"ready\n"
            if ready:
                info = _read_info(info_r)
                limits = [[RLIMITS[name], value] for name, value in asdict(self.limits).items() if name in RLIMITS]
                namespaces = {key.removesuffix("-namespace"): number for key, number in info.items()
                              if key.endswith("-namespace")}
                request = dict(init=info["child-pid"], namespaces=namespaces, limits=limits,
                               uid=self.isolation.uid, gid=self.isolation.gid, cwd=str(WORKDIR),
                               env=dict(kernel_env(WORKDIR), PWD=str(WORKDIR)),  # as bwrap --chdir sets it
                               argv=self.kernel_arguments)
                forked = server.fork(request, keep_w)
        except (OSError, ValueError, KeyError):
            forked = False
        finally:
            os.close(info_r)
            os.close(keep_w)
        if not forked:
            self._kill_process()
        return forked

    def _kill_process(self) -> None:
        process = getattr(self.provisioner, "process", None)
        if process is not None and process.poll() is None:  # killed and reaped here: jupyter_client
            try:                                            # would poll for its end every 0.1 s
                os.killpg(self.provisioner.pgid or process.pid, signal.SIGKILL)
            except OSError:
                process.kill()
            try:
                process.wait(timeout=2)
            except subprocess.TimeoutExpired:
                pass

    async def _async_shutdown_kernel(self, now: bool = False, restart: bool = False) -> None:
        """Killed at once, never asked to shut down: nothing of a student's kernel is kept, and a polite
        shutdown cost 0.2 s per notebook, and 3 s in one notebook of seven (measured, issue #12)."""
        self._kill_process()
        await super()._async_shutdown_kernel(now=True, restart=restart)

    shutdown_kernel = _async_shutdown_kernel


def _read_info(fd: int) -> dict:
    """bubblewrap's JSON about its sandbox, read from ``fd``."""
    text = b""
    while select.select([fd], [], [], SET_UP_SECONDS)[0]:
        chunk = os.read(fd, 4096)
        text += chunk
        try:
            return json.loads(text)
        except ValueError:
            if not chunk or len(text) > 65536:
                break
    raise ValueError("bubblewrap said nothing about its sandbox")


# A kernel started ahead: while a worker grades one submission, the sandboxed kernel of the next
# one boots (0.6 s of a notebook's 1.2 s was spent waiting for it, issue #12). It is started for
# that submission's own support files and used only if the files nbgrader finally gives the
# notebook are the same (``support_digest``); otherwise it is killed and a kernel started as usual.
# Nothing passes between students: each spare is a fresh sandbox, used once.

_spares: dict = {}  # (student, slug) -> {"km", "scratch", "digest"}: the spares of this process


def support_digest(folder: Path) -> str:
    """Names and contents of the files ``sandbox.make_scratch`` copies from ``folder``."""
    import hashlib

    digest = hashlib.sha256()
    for path in support_files(folder):
        digest.update(path.name.encode() + b"\0" + hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()


def discard_spare(owner: tuple[str, str] | None = None) -> None:
    """Kill the spare kernel started for ``owner`` (every spare when None)."""
    from jupyter_core.utils import run_sync

    from .intake import remove_tree

    for key in [k for k in _spares if owner is None or k == owner]:
        spare = _spares.pop(key)
        try:
            spare["kc"].stop_channels()
            run_sync(spare["km"].shutdown_kernel)(now=True)
            run_sync(spare["km"].cleanup_resources)()
        except Exception:
            pass
        remove_tree(spare["scratch"])


def start_spare(owner: tuple[str, str], support: Path, isolation: Isolation, limits: Limits, config=None) -> None:
    """Start (without waiting for it) a sandboxed kernel for ``owner`` (student, slug) whose working
    folder holds ``support``'s files."""
    from jupyter_core.utils import run_sync

    from .sandbox import make_scratch

    discard_spare(owner)
    root = getattr(getattr(config, "RunNotebook", None), "scratch_root", None) if config is not None else None
    scratch = make_scratch(support, isolation, Path(root) if root else None)
    km = SandboxedKernelManager(kernel_name="python3", config=config)
    km.configure(scratch, isolation, limits)
    run_sync(km.start_kernel)(extra_arguments=["--HistoryManager.hist_file=:memory:"])  # as nbclient starts it
    # Connected now, so the channels are up when the kernel is: connecting after it had booted cost
    # a wait for its first IOPub message (60 ms per notebook on average, issue #12).
    kc = km.client()
    kc.start_channels()
    _spares[owner] = dict(km=km, kc=kc, scratch=scratch, digest=support_digest(support))


def take_spare(owner: tuple[str, str], support: Path) -> tuple[SandboxedKernelManager, Path, LimitedKernelClient] | None:
    """The spare kernel started for ``owner`` (its manager, scratch folder and connected client), if
    it was started for exactly ``support``'s files and still runs; any other spare is left for its
    own submission."""
    from jupyter_core.utils import run_sync

    spare = _spares.get(owner)
    if spare is None:
        return None
    if spare["digest"] != support_digest(support) or not run_sync(spare["km"].is_alive)():
        discard_spare(owner)
        return None
    del _spares[owner]
    return spare["km"], spare["scratch"], spare["kc"]


def prestart(submitted: Path | None, student: str = "", slug: str = "", source: Path | None = None,
             limits: Limits | None = None, config=None) -> None:
    """Start the spare kernel of ``student``'s submission in ``submitted``: its support files are what
    nbgrader will give it, the staged submission's files overwritten by ``source``'s (the
    assignment's master copies). ``submitted=None`` discards every spare."""
    import shutil
    import tempfile

    from . import intake
    from .sandbox import detect

    if submitted is None:
        discard_spare()
        return
    staged = Path(tempfile.mkdtemp(prefix="bplab-prestart-")) / slug
    try:
        try:
            intake.stage(submitted, staged, slug, source / f"{slug}.ipynb")
        except intake.NotGradable:
            return
        for path in source.iterdir():
            if path.is_file() and not path.is_symlink() and path.suffix != ".ipynb":
                shutil.copyfile(path, staged / path.name)
        start_spare((student, slug), staged, detect(), limits or Limits(), config)
    finally:
        intake.remove_tree(staged.parent)
