"""A fork server for students' kernels (``python -c <this file's text> SOCKET_FD PARENT_PID``; see
``kernel.KernelForks``, which starts one per grading process).

It imports ipykernel, IPython and numpy once, then forks each kernel from that state instead of
starting a new interpreter: a kernel start cost 0.2 CPU-s, almost all of it those imports (issue
#12). It runs as root, outside any sandbox, started by the grader with exactly a kernel's clean
environment, and never runs student code itself: each kernel is forked from the pristine server
into a sandbox bubblewrap has already set up for its submission, joins that sandbox's namespaces
and root, sets the resource limits, drops to the unprivileged user and only then starts ipykernel.
Nothing passes between students: every kernel is a fresh copy of a server no student can reach
(it is root, and outside every sandbox's process namespace).

Requests come on a SOCK_SEQPACKET socket: one JSON object per message with one file descriptor
attached, the write end of the pipe that keeps the sandbox's placeholder process alive, held until
the kernel exits, so the sandbox ends when the kernel does. The reply says whether the kernel was
forked. Standard library, ipykernel and numpy only: this file runs outside the grader's package.
"""
import ctypes
import json
import os
import resource
import signal
import socket
import sys

if sys.path[0] == "":
    del sys.path[0]
sys.modules["debugpy"] = None  # as kernel.LAUNCH: no debugger, 0.06 CPU-s less per kernel

# What every kernel imports by the time it is ready, imported once here (issue #12).
import faulthandler, sqlite3  # noqa: E401,E402,F401
import IPython.core.completerlib, IPython.core.debugger, IPython.core.logger, IPython.core.oinspect  # noqa: E401,E402,F401
import IPython.extensions.storemagic, tornado.platform.asyncio, tornado.queues  # noqa: E401,E402,F401
import numpy, numpy.random  # noqa: E401,E402
from ipykernel import debugger, ipkernel, kernelapp, zmqshell  # noqa: E402,F401

LIBC = ctypes.CDLL(None, use_errno=True)
PR_SET_PDEATHSIG, PR_SET_NO_NEW_PRIVS = 1, 38
NAMESPACES = ("ipc", "uts", "net", "pid", "mnt")  # each the sandbox's own (bubblewrap --unshare-*)


def join_sandbox(request: dict) -> None:
    """Enter the namespaces and root of the sandbox whose init process bubblewrap reported.
    Every file is opened through one handle on that process, and each namespace is checked
    against the one bubblewrap reported, so a reused process id cannot lead anywhere else."""
    process = os.open(f"/proc/{int(request['init'])}", os.O_RDONLY | os.O_DIRECTORY)
    handles = []
    for name in NAMESPACES:
        handle = os.open(f"ns/{name}", os.O_RDONLY, dir_fd=process)
        if os.fstat(handle).st_ino != int(request["namespaces"][name]):
            raise RuntimeError(f"the sandbox's {name} namespace is not the one bubblewrap reported")
        handles.append(handle)
    root = os.open("root", os.O_RDONLY | os.O_DIRECTORY, dir_fd=process)
    for name, handle in zip(NAMESPACES, handles):
        if LIBC.setns(handle, 0) != 0:
            raise OSError(ctypes.get_errno(), f"setns({name})")
    os.fchdir(root)
    os.chroot(".")


def become_kernel(request: dict) -> None:
    """In the sandbox's process namespace: limits, the unprivileged user, the kernel's environment
    and working folder, then ipykernel with the kernel's own arguments, until the kernel ends."""
    null = os.open("/dev/null", os.O_RDWR)
    for fd in (0, 1, 2):
        os.dup2(null, fd)
    os.closerange(3, os.sysconf("SC_OPEN_MAX"))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    for which, value in request["limits"]:  # [resource.RLIMIT_*, value], as confine.py sets them
        resource.setrlimit(which, (value, value))
    os.setgroups([])
    os.setgid(int(request["gid"]))
    os.setuid(int(request["uid"]))
    if LIBC.prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0:
        raise OSError(ctypes.get_errno(), "PR_SET_NO_NEW_PRIVS")
    os.chdir(request["cwd"])
    os.environ.clear()
    os.environ.update(request["env"])
    numpy.random.seed()  # fresh entropy, as a kernel started on its own would have
    sys.argv = ["-c", *request["argv"]]
    kernelapp.launch_new_instance()


def fork_kernel(request: dict, keep: int) -> bool:
    """Fork a keeper that joins the sandbox and forks the kernel inside it (a process enters a new
    process namespace only by being born there). The keeper, root and outside the sandbox's
    process namespace, holds ``keep`` until the kernel exits, so the sandbox ends with the kernel
    as it would with a kernel bubblewrap started itself. True once the kernel is forked."""
    started_r, started_w = os.pipe()
    if os.fork():
        os.close(started_w)
        with os.fdopen(started_r, "rb") as started:
            return started.read(1) == b"1"
    try:
        low, high = sorted((keep, started_w))
        os.closerange(3, low)
        os.closerange(low + 1, high)
        os.closerange(high + 1, os.sysconf("SC_OPEN_MAX"))
        signal.signal(signal.SIGCHLD, signal.SIG_DFL)
        join_sandbox(request)
        kernel = os.fork()
        if kernel == 0:
            try:
                os.close(keep)
                become_kernel(request)
            finally:
                os._exit(1)
        os.write(started_w, b"1")
        os.close(started_w)
        os.waitpid(kernel, 0)
    finally:
        os._exit(0)


def serve(channel: socket.socket) -> None:
    while True:
        try:
            message, fds, _, _ = socket.recv_fds(channel, 1 << 16, 1)
        except OSError:
            return
        if not message:
            return
        try:
            reply = {"forked": len(fds) == 1 and fork_kernel(json.loads(message), fds[0])}
        except Exception as error:
            reply = {"forked": False, "error": f"{type(error).__name__}: {error}"}
        finally:
            for fd in fds:
                os.close(fd)
        channel.send(json.dumps(reply).encode())


def main() -> None:
    LIBC.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)  # ends with the grading process that started it
    channel = socket.socket(fileno=int(sys.argv[1]))
    if os.getppid() != int(sys.argv[2]):  # the grading process ended before the line above
        return
    signal.signal(signal.SIGCHLD, signal.SIG_IGN)  # keepers are reaped by the system
    channel.send(json.dumps({"ready": True}).encode())
    serve(channel)


main()
