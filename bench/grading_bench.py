"""`make bench-grading`: our autograde against stock `nbgrader autograde` on the same synthetic class.

Builds a class of N students, each submitting 01_fc_layer and 02_gender_demo: half correct, the
rest broken (one gradient wrong), a syntax error, or hostile (patches numpy's comparisons and fakes
a verdict). Grades it twice, each in one run, timed from outside:

- stock: a plain nbgrader course with the same source notebooks and submissions, `nbgrader
  autograde <assignment>` for each assignment, nbgrader's default pipeline (Execute preprocessor,
  no sandbox, serial, visible checks only);
- ours: `python -m autograder autograde --force` (sandboxed kernels, hidden cases, workers).

Both courses get their assignments registered (generate_assignment) before the clock starts.
Prints notebooks per second for each and their ratio, our per-notebook p50/p95 (as each worker
timed it; the tail target is judged per assignment) and the per-notebook overhead: a worker's
time for a notebook minus the time spent in the student's cells (from nbclient's execution
timestamps in stock nbgrader's graded notebooks) and in the hidden cases (from our reports).
Results also go to <out>/results.json.
"""
from __future__ import annotations

import argparse
import datetime
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from autograder import demo, paths, submissions  # noqa: E402
from autograder.assemble import assemble  # noqa: E402

SLUGS = ["01_fc_layer", "02_gender_demo"]
HOSTILE = '''
import json, numpy as np, numpy.testing
from IPython.display import display
np.allclose = lambda *a, **k: True
np.array_equal = lambda *a, **k: True
np.testing.assert_allclose = lambda *a, **k: None
display({"application/x-backprop-lab+json": json.dumps({"outputs": {}})}, raw=True)
print("Autograder: every task passed, full marks")
'''
KINDS = ["correct", "correct", "correct", "broken", "syntax error", "hostile"]
PY = sys.executable
BIN = Path(sys.executable).parent


def notebook(kind: str, slug: str):
    if kind == "broken":
        return demo.student_notebook("cai", slug)
    if kind == "syntax error":
        return demo.student_notebook("eli", slug)
    nb = submissions.reference_notebook(slug)
    if kind == "hostile":
        first = next(c for c in nb.cells if c.metadata.get("nbgrader", {}).get("solution"))
        first.source += "\n" + HOSTILE
    return nb


def build_class(out: Path, students: int) -> tuple[Path, Path, dict[str, str]]:
    """``out/ours`` and ``out/stock`` holding the same submissions; student -> kind."""
    shutil.rmtree(out, ignore_errors=True)
    ours, stock = out / "ours", out / "stock"
    kinds = {f"s{i:03d}": KINDS[i % len(KINDS)] for i in range(students)}
    cache = {(k, s): notebook(k, s) for k in set(kinds.values()) for s in SLUGS}
    for student, kind in kinds.items():
        for slug in SLUGS:
            for course in (ours, stock):
                submissions.write(cache[kind, slug], course, student, slug)
    (stock / "nbgrader_config.py").write_text(
        "c = get_config()\n"
        f"c.CourseDirectory.root = {str(stock)!r}\n"
        "c.CourseDirectory.course_id = 'bench'\n"
        f"c.CourseDirectory.db_url = 'sqlite:///{stock}/gradebook.db'\n"
        "c.Autograde.create_student = True\n"
        "c.Application.log_format = '%(asctime)s.%(msecs)03d %(message)s'\n"
        "c.Application.log_datefmt = '%H:%M:%S'\n")
    for slug in SLUGS:
        assemble(slug, stock / "source")
        subprocess.run([str(BIN / "nbgrader"), "generate_assignment", slug, "--force"], cwd=stock, check=True,
                       capture_output=True)
    subprocess.run([PY, "-c", "import sys; from pathlib import Path; sys.path.insert(0, sys.argv[1]); "
                    "from autograder.release import register; register(sys.argv[3:], Path(sys.argv[2]), log=print)",
                    str(REPO), str(ours), *SLUGS], check=True, capture_output=True)
    return ours, stock, kinds


def run_stock(stock: Path) -> tuple[float, list[float], str]:
    start = time.monotonic()
    log = ""
    for slug in SLUGS:
        done = subprocess.run([str(BIN / "nbgrader"), "autograde", slug], cwd=stock, capture_output=True, text=True)
        log += done.stdout + done.stderr
    wall = time.monotonic() - start
    stamps = [(datetime.datetime.strptime(m.group(1), "%H:%M:%S.%f"), Path(m.group(2)).parent.name)
              for m in re.finditer(r"^(\d\d:\d\d:\d\d\.\d{3}) Sanitizing (\S+)", log, re.MULTILINE)]
    per = [(slug, (b - a).total_seconds()) for (a, slug), (b, _) in zip(stamps, stamps[1:]) if b > a]
    return wall, per, log


def run_ours(ours: Path, workers: int | None) -> tuple[float, list[float], str]:
    command = [PY, "-m", "autograder", "autograde", "--course", str(ours), "--force"]
    for slug in SLUGS:
        command += ["--assignment", slug]
    if workers:
        command += ["--workers", str(workers)]
    start = time.monotonic()
    done = subprocess.run(command, cwd=REPO, capture_output=True, text=True)
    wall = time.monotonic() - start
    log = done.stdout + done.stderr
    per = [(m.group(1), float(m.group(2))) for m in re.finditer(r"^\s+\[\d+/\d+\] \S+ (\S+): .* in ([\d.]+) s", log,
                                                             re.MULTILINE)]
    return wall, per, log


def cell_seconds(stock: Path, student: str, slug: str) -> float:
    """Seconds the student's cells ran, from nbclient's timestamps in stock nbgrader's graded notebook."""
    path = stock / "autograded" / student / slug / f"{slug}.ipynb"
    try:
        cells = json.loads(path.read_text())["cells"]
    except (OSError, ValueError):
        return 0.0
    total = 0.0
    for cell in cells:
        timing = cell.get("metadata", {}).get("execution", {})
        a, b = timing.get("iopub.execute_input"), timing.get("shell.execute_reply")
        if a and b:
            total += (datetime.datetime.fromisoformat(b.replace("Z", "+00:00"))
                      - datetime.datetime.fromisoformat(a.replace("Z", "+00:00"))).total_seconds()
    return total


def case_seconds(ours: Path, student: str, slug: str) -> float:
    try:
        report = json.loads((ours / "autograded" / student / slug / "grading.json").read_text())
    except (OSError, ValueError):
        return 0.0
    return sum(c["seconds"] for t in report["tasks"] for c in t["cases"])


def tree_cpu_seconds(root: int) -> float:
    """CPU seconds used so far by process ``root`` and all its descendants (from /proc)."""
    parents, used = {}, {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        pid = int(stat.parent.name)
        parents[pid], used[pid] = int(fields[1]), int(fields[11]) + int(fields[12])
    tree, grew = {root}, True
    while grew:
        more = {pid for pid, parent in parents.items() if parent in tree} - tree
        tree |= more
        grew = bool(more)
    return sum(used.get(pid, 0) for pid in tree) / os.sysconf("SC_CLK_TCK")


def kernel_start_cpu(starts: int = 10) -> float:
    """CPU seconds of starting one sandboxed kernel as grading does (the grader's side, the kernel's
    and, when kernels are forked, the fork server's, read before the kernel is killed), averaged
    over ``starts`` starts."""
    import resource

    from jupyter_core.utils import run_sync

    from autograder import kernel, sandbox
    from autograder.intake import remove_tree
    from autograder.kernel import SandboxedKernelManager

    def forks_cpu() -> float:  # the fork server, its keepers and the kernels they forked
        server = kernel._forks.get(os.getpid())
        return tree_cpu_seconds(server.process.pid) if server is not None else 0.0

    isolation, support = sandbox.detect(), paths.RELEASE / SLUGS[0]

    def start_one() -> float:
        scratch = sandbox.make_scratch(support, isolation, None)
        try:
            km = SandboxedKernelManager(kernel_name="python3")
            km.configure(scratch, isolation, sandbox.Limits())
            before = forks_cpu()
            run_sync(km.start_kernel)(extra_arguments=["--HistoryManager.hist_file=:memory:"])
            kc = km.client()
            kc.start_channels()
            run_sync(kc.wait_for_ready)(timeout=60)
            used = tree_cpu_seconds(km.provisioner.process.pid) + forks_cpu() - before
            kc.stop_channels()
            run_sync(km.shutdown_kernel)(now=True)
            return used
        finally:
            remove_tree(scratch)

    def own() -> float:
        usage = [resource.getrusage(who) for who in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN)]
        return sum(u.ru_utime + u.ru_stime for u in usage)

    start_one()  # the imports (and the fork server's start) are paid once per worker, not per notebook
    before = own()
    kernels = sum(start_one() for _ in range(starts))
    return (own() - before + kernels) / starts


def quantile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))] if ordered else float("nan")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--students", type=int, default=60)
    parser.add_argument("--workers", type=int, default=None, help="our workers (default: the number of cores)")
    parser.add_argument("--out", type=Path, default=paths.BUILD / "bench-grading")
    args = parser.parse_args()
    os.environ["PATH"] = f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}"
    load = os.getloadavg()[0]
    print(f"Building a class of {args.students} students x {len(SLUGS)} assignments in {args.out} ...", flush=True)
    ours, stock, kinds = build_class(args.out, args.students)
    notebooks = args.students * len(SLUGS)
    print("stock nbgrader autograde (serial, no sandbox) ...", flush=True)
    stock_wall, stock_per, stock_log = run_stock(stock)
    print("our autograde (sandboxed, hidden cases) ...", flush=True)
    ours_wall, ours_per, ours_log = run_ours(ours, args.workers)
    print("CPU of one sandboxed kernel start ...", flush=True)
    start_cpu = kernel_start_cpu()
    (args.out / "stock.log").write_text(stock_log)
    (args.out / "ours.log").write_text(ours_log)
    if len(ours_per) != notebooks:
        print(f"error: our run graded {len(ours_per)} of {notebooks} notebooks; see {args.out / 'ours.log'}")
        return 1
    by_slug = {slug: ([t for s, t in stock_per if s == slug], [t for s, t in ours_per if s == slug]) for slug in SLUGS}
    stock_per, ours_per = [t for _, t in stock_per], [t for _, t in ours_per]
    work = [cell_seconds(stock, s, slug) + case_seconds(ours, s, slug) for s in kinds for slug in SLUGS]
    overhead = statistics.mean(ours_per) - statistics.mean(work)
    cores = args.workers or os.cpu_count()
    # A grader that starts a fresh sandboxed kernel per notebook and runs its cells and hidden cases
    # needs at least this much CPU per notebook, whatever else it does or does not do.
    floor = start_cpu + statistics.mean(work)
    best_ratio = stock_wall / (notebooks * floor / cores)
    stock_rate, ours_rate = notebooks / stock_wall, notebooks / ours_wall
    p50, p95 = quantile(ours_per, 0.5), quantile(ours_per, 0.95)
    # The tail is judged per assignment: over the whole class p95/p50 measures the mix of a short
    # assignment and a long one, not stalls.
    tail = max(quantile(us, 0.95) / quantile(us, 0.5) for _, us in by_slug.values())
    results = {
        "notebooks": notebooks, "cores": os.cpu_count(), "load_average_before": round(load, 2),
        "workers": args.workers or os.cpu_count(),
        "stock": {"seconds": round(stock_wall, 2), "notebooks_per_second": round(stock_rate, 3),
                  "p50": round(quantile(stock_per, 0.5), 3), "p95": round(quantile(stock_per, 0.95), 3)},
        "ours": {"seconds": round(ours_wall, 2), "notebooks_per_second": round(ours_rate, 3),
                 "p50": round(p50, 3), "p95": round(p95, 3), "p95_over_p50": round(p95 / p50, 2),
                 "p95_over_p50_worst_assignment": round(tail, 2),
                 "student_cells_and_cases_per_notebook": round(statistics.mean(work), 3),
                 "overhead_per_notebook": round(overhead, 3)},
        "ratio": round(ours_rate / stock_rate, 2),
        "kernel_start_cpu_seconds": round(start_cpu, 3),
        "floor_cpu_seconds_per_notebook": round(floor, 3),
        "best_ratio_with_zero_overhead": round(best_ratio, 2),
        "per_assignment": {slug: {"stock_p50": round(quantile(st, 0.5), 3), "stock_p95": round(quantile(st, 0.95), 3),
                                  "ours_p50": round(quantile(us, 0.5), 3), "ours_p95": round(quantile(us, 0.95), 3)}
                           for slug, (st, us) in by_slug.items()},
    }
    (args.out / "results.json").write_text(json.dumps(results, indent=1))
    print(f"""
{notebooks} notebooks ({args.students} students x {', '.join(SLUGS)}; {', '.join(sorted(set(KINDS)))}),
{os.cpu_count()} cores, load average {load:.2f} before the run (a shared machine makes these figures noisy)

                          stock nbgrader     ours ({results['workers']} workers, sandboxed)
  wall time               {stock_wall:8.1f} s         {ours_wall:8.1f} s
  notebooks / second      {stock_rate:8.2f}           {ours_rate:8.2f}
  per notebook p50        {results['stock']['p50']:8.2f} s         {p50:8.2f} s
  per notebook p95        {results['stock']['p95']:8.2f} s         {p95:8.2f} s   (p95/p50 = {p95 / p50:.2f} over the mix of both)
  p95/p50 of the worst assignment              {tail:8.2f}     (target <= 1.5)

  ratio ours / stock      {results['ratio']:.2f}x   (target >= 3x)
  our overhead per notebook {overhead:.3f} s  (target <= 0.25 s): a worker's {statistics.mean(ours_per):.3f} s per
    notebook minus {statistics.mean(work):.3f} s in the student's cells and the hidden cases

  the floor: a sandboxed kernel start costs {start_cpu:.3f} CPU-s; with the cells and hidden cases, any
    grader doing this work needs {floor:.3f} CPU-s per notebook, so on {cores} cores it can reach at most
    {best_ratio:.2f}x stock nbgrader even with no overhead of its own
""")
    for slug, (st, us) in by_slug.items():
        print(f"  {slug:16s} stock p50 {quantile(st, 0.5):.2f} s p95 {quantile(st, 0.95):.2f} s;  ours p50 "
              f"{quantile(us, 0.5):.2f} s p95 {quantile(us, 0.95):.2f} s (p95/p50 = {quantile(us, 0.95) / quantile(us, 0.5):.2f})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
