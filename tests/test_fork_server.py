"""Kernels forked by the fork server (zygote.py): each in its own sandbox, exactly as confined as a
kernel bubblewrap starts itself, and gone, with everything around it, when it ends."""
import json
import os
import time
from pathlib import Path

import pytest
from jupyter_core.utils import run_sync

from autograder import kernel, sandbox
from autograder.kernel import SandboxedKernelManager

ISOLATION = sandbox.detect()
pytestmark = pytest.mark.skipif(ISOLATION.mode != "bubblewrap" or ISOLATION.uid is None,
                                reason="the fork server serves bubblewrap sandboxes run as root")
LIMITS = sandbox.Limits(memory=3 * 2**30, cpu=600, processes=256, file_size=8 * 2**20, open_files=300)
PROBE = r"""
import json, os, resource, sys
def target(fd):
    try:
        return os.readlink(f"/proc/self/fd/{fd}")
    except OSError:  # the folder listing's own
        return ""
status = dict(line.split(":", 1) for line in open("/proc/self/status").read().splitlines())
print(json.dumps({
    "uid": os.getuid(), "gid": os.getgid(), "groups": os.getgroups(), "cwd": os.getcwd(),
    "files": sorted(os.listdir(".")), "root": sorted(os.listdir("/")), "env": dict(os.environ),
    "no_new_privs": status["NoNewPrivs"].strip(), "caps": status["CapEff"].strip(),
    "limits": [resource.getrlimit(r)[0] for r in (resource.RLIMIT_AS, resource.RLIMIT_CPU, resource.RLIMIT_NPROC,
                                                  resource.RLIMIT_FSIZE, resource.RLIMIT_NOFILE)],
    "fds": sorted(target(fd) for fd in os.listdir("/proc/self/fd")),
    "processes": sorted(int(p) for p in os.listdir("/proc") if p.isdigit()),
    "others": sorted({(s["Uid"].split()[0], s["CapEff"].strip()) for s in (
        dict(line.split(":", 1) for line in open(f"/proc/{p}/status").read().splitlines())
        for p in os.listdir("/proc") if p.isdigit() and int(p) != os.getpid())}),
    "forked": "numpy" in sys.modules, "random": float(__import__("numpy").random.random()),
}))
"""


def start(tmp_path: Path, name: str, fork_server: bool = True):
    support = tmp_path / name
    support.mkdir()
    (support / "checks.py").write_text(f"owner = {name!r}\n")
    scratch = sandbox.make_scratch(support, ISOLATION, None)
    km = SandboxedKernelManager(kernel_name="python3")
    km.fork_server = fork_server
    km.configure(scratch, ISOLATION, LIMITS)
    run_sync(km.start_kernel)(extra_arguments=["--HistoryManager.hist_file=:memory:"])
    kc = km.client()
    kc.start_channels()
    run_sync(kc.wait_for_ready)(timeout=60)
    return km, kc, scratch


def run(kc, code: str) -> str:
    out = []

    def keep(msg):
        if msg["msg_type"] in ("stream", "error"):
            out.append(msg["content"].get("text") or "\n".join(msg["content"]["traceback"]))

    run_sync(kc.execute_interactive)(code, timeout=30, output_hook=keep)
    return "".join(out)


def stop(km, kc, scratch) -> None:
    kc.stop_channels()
    run_sync(km.shutdown_kernel)(now=True)
    sandbox.remove_tree(scratch)


def open_files(pid: int, *fds: str) -> set[str]:
    """What the open file descriptors ``fds`` (all by default) of process ``pid`` refer to."""
    folder = Path(f"/proc/{pid}/fd")
    targets = set()
    for fd in fds or os.listdir(folder):
        try:
            targets.add(os.readlink(folder / fd))
        except OSError:
            pass
    return targets


def processes_under(pid: int) -> set[int]:
    parents = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            parents[int(stat.parent.name)] = int(stat.read_text().rsplit(")", 1)[1].split()[1])
        except (OSError, IndexError):
            pass
    tree = {pid}
    while more := {p for p, parent in parents.items() if parent in tree} - tree:
        tree |= more
    return tree - {pid}


def test_a_forked_kernel_is_confined_like_a_started_one(tmp_path):
    started, forked = start(tmp_path, "ann", fork_server=False), start(tmp_path, "bob")
    try:
        server = kernel._forks.get(os.getpid())
        assert server is not None
        plain, fork = (json.loads(run(kc, PROBE)) for _, kc, _ in (started, forked))
        # the fork server's channel, and the pipe that keeps the sandbox's placeholder alive
        theirs = open_files(server.process.pid) | {target for pid in processes_under(forked[0].provisioner.process.pid)
                                                   for target in open_files(pid, "0")}
    finally:
        stop(*started)
        stop(*forked)
    assert fork["forked"] and not plain["forked"]  # really from the fork server, and the other not
    for key in ("uid", "gid", "groups", "cwd", "files", "root", "env", "no_new_privs", "caps", "limits"):
        assert fork[key] == plain[key], key
    assert (fork["uid"], fork["groups"], fork["no_new_privs"], fork["caps"]) == (ISOLATION.uid, [], "1", "0" * 16)
    assert fork["limits"] == [LIMITS.memory, LIMITS.cpu, LIMITS.processes, LIMITS.file_size, LIMITS.open_files]
    assert "checks.py" in fork["files"] and fork["env"]["HOME"] == str(sandbox.WORKDIR)
    assert {t.split(":")[0] for t in theirs} >= {"socket", "pipe"}
    assert not (set(fork["fds"]) & theirs) - {"/dev/null"}
    assert len(fork["processes"]) <= 4  # its sandbox's init and placeholder, the kernel: not the server
    assert all(uid == "0" for uid, _ in fork["others"])  # the kernel's user can signal none of them
    assert fork["others"] == [["0", "0" * 16]]  # its init and the placeholder: root without capabilities


def test_kernels_of_one_server_are_apart_and_start_from_fresh_randomness(tmp_path):
    ann, bob = start(tmp_path, "ann"), start(tmp_path, "bob")
    try:
        run(ann[1], "open('/tmp/mark', 'w').write('ann'); open('mine', 'w').write('ann')")
        seen = json.loads(run(bob[1], "import json, os; print(json.dumps([os.path.exists('/tmp/mark'), "
                                      "os.path.exists('mine'), open('checks.py').read()]))"))
        assert seen == [False, False, "owner = 'bob'\n"]
        draws = [json.loads(run(kc, PROBE))["random"] for _, kc, _ in (ann, bob)]
        assert draws[0] != draws[1]
    finally:
        stop(*ann)
        stop(*bob)


def test_a_kernel_that_exits_ends_its_sandbox_and_leaves_nothing_behind(tmp_path):
    km, kc, scratch = start(tmp_path, "ann")
    server = kernel._forks[os.getpid()]
    try:
        assert processes_under(server.process.pid)  # the kernel's keeper, and the kernel
        kc.execute("import subprocess, os; subprocess.Popen(['sleep', '600']); os._exit(3)")
        deadline = time.monotonic() + 10
        while run_sync(km.is_alive)() and time.monotonic() < deadline:
            time.sleep(0.05)
        assert not run_sync(km.is_alive)()
        while processes_under(server.process.pid) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert not processes_under(server.process.pid)  # keeper, kernel and its `sleep` all gone
    finally:
        stop(km, kc, scratch)
    km, kc, scratch = start(tmp_path, "bob")
    stop(km, kc, scratch)
    deadline = time.monotonic() + 10
    while processes_under(server.process.pid) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not processes_under(server.process.pid)


def test_without_a_fork_server_the_kernel_starts_as_usual(tmp_path, monkeypatch):
    broken = tmp_path / "zygote.py"
    broken.write_text("raise SystemExit(1)\n")
    monkeypatch.setattr(kernel, "ZYGOTE", broken)
    monkeypatch.setattr(kernel, "_forks", {})
    km, kc, scratch = start(tmp_path, "ann")
    try:
        assert kernel._forks == {os.getpid(): None}
        assert json.loads(run(kc, PROBE))["forked"] is False
    finally:
        stop(km, kc, scratch)


def test_a_fork_server_that_died_is_started_again(tmp_path):
    stop(*start(tmp_path, "ann"))
    first = kernel._forks[os.getpid()]
    first.process.kill()
    first.process.wait()
    km, kc, scratch = start(tmp_path, "bob")
    try:
        assert json.loads(run(kc, PROBE))["forked"]
        assert kernel._forks[os.getpid()] is not first and kernel._forks[os.getpid()].alive()
    finally:
        stop(km, kc, scratch)
