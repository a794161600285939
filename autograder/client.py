"""The grader's side of one student's kernel: nbclient's ``NotebookClient``, used through its public
API, running the submitted notebook in a sandboxed kernel and then asking that kernel for the
hidden cases (:meth:`SubmissionClient.ask`).

Everything the kernel sends is hostile: every kind of output counts against one budget per
notebook, comm (widget) messages are never kept, error texts are bounded and lose the kernel's
internal file names, messages forged past Jupyter's format end the run with a sentence, and one
deadline covers the whole submission.
"""
from __future__ import annotations

import re
import time
from pathlib import Path

import numpy as np
from jupyter_core.utils import run_sync
from nbclient import NotebookClient
from nbclient.exceptions import CellTimeoutError, DeadKernelError
from nbformat import NotebookNode

from . import harness, sandbox
from .kernel import SandboxedKernelManager
from .report import CRASHED, GRADED, OUT_OF_MEMORY, TIMED_OUT

OUTPUT_TYPES = {"stream", "display_data", "execute_result", "update_display_data", "error"}
# The file name IPython gives a cell's code ("/tmp/ipykernel_12/2739893793.py"): students never see it.
CELL_FILE = re.compile(r"(?<![\w./-])[\w./-]*?ipykernel_\d+/\d+\.py|(?<![\w.])\d{5,}\.py\b")  # linear time
MAX_ERROR_TEXT = 2000  # characters of an error's value and of each of its traceback lines (at most 50) kept
TIMEOUT_ERROR = {"ename": "CellTimeoutError", "evalue": "",
                 "traceback": ["\x1b[0;31mCellTimeoutError\x1b[0m: No reply from kernel before timeout"]}


class KernelGone(Exception):
    """The kernel died or stopped answering: nothing more can be asked of it."""


class SubmissionClient(NotebookClient):
    """Runs one submitted notebook in a sandboxed kernel whose working folder is ``scratch``."""

    def __init__(self, nb: NotebookNode, resources: dict, scratch: Path, isolation: sandbox.Isolation,
                 limits: sandbox.Limits, cell_timeout: int, submission_timeout: float, output_budget: int,
                 km: SandboxedKernelManager | None = None, **kw):
        super().__init__(nb, km=km, resources=resources, timeout=cell_timeout, allow_errors=True,
                         interrupt_on_timeout=True, error_on_timeout=TIMEOUT_ERROR,
                         # zmq drops a message over kernel.MAX_MESSAGE_BYTES together with the
                         # connection it came on: a cell whose reply came but whose end-of-output
                         # status was lost is finished, not hung (see _reconnect).
                         raise_on_iopub_timeout=False,
                         extra_arguments=["--HistoryManager.hist_file=:memory:"],
                         timeout_func=self._cell_timeout, on_cell_executed=self._keep_error, **kw)
        self.scratch, self.isolation, self.limits = scratch, isolation, limits
        self.submission_timeout, self.output_budget = submission_timeout, output_budget
        self.deadline = time.monotonic() + submission_timeout
        self.output_bytes = 0
        self._idle_seen = False

    def create_kernel_manager(self) -> SandboxedKernelManager:
        self.km = SandboxedKernelManager(kernel_name="python3", config=self.config)
        self.km.configure(self.scratch, self.isolation, self.limits)
        return self.km

    def remaining(self) -> float:
        return self.deadline - time.monotonic()

    def _cell_timeout(self, cell) -> int:
        return max(1, int(min(self.timeout, self.remaining())))

    def _keep_error(self, cell, execute_reply, **_) -> None:
        """A failed cell keeps its error even when the kernel did not show it (showtraceback
        replaced, or a time-out)."""
        content = execute_reply.get("content") if isinstance(execute_reply, dict) else None
        if not isinstance(content, dict) or content.get("status") != "error":
            return
        if not any(o.get("output_type") == "error" and o.get("ename") == content.get("ename") for o in cell.outputs):
            cell.outputs.append(NotebookNode(
                output_type="error", ename=str(content.get("ename", ""))[:200],
                evalue=CELL_FILE.sub("your cell", str(content.get("evalue", ""))[:MAX_ERROR_TEXT]),
                traceback=["ERROR: the cell failed without showing its error"]))

    # ------------------------------------------------------------------ running the notebook

    def run_cells(self, describe) -> tuple[str, str]:
        """Execute every cell; the submission's status and a sentence saying why. ``describe(index)``
        names a cell the way the student finds it."""
        timed_out, out_of_memory = [], []
        for index, cell in enumerate(self.nb.cells):
            where = describe(index)
            if cell.cell_type == "code" and self.remaining() < 1:
                return TIMED_OUT, self.out_of_time()
            hung = (f"{where} ran past its time limit and did not stop when interrupted, so the kernel was "
                    "stopped; nothing could be graded.")
            self._idle_seen = False
            try:
                self.execute_cell(cell, index, store_history=True)
                if cell.cell_type == "code" and not self._idle_seen and not raised(cell, "CellTimeoutError"):
                    self._reconnect()
            except (DeadKernelError, KernelGone):
                return CRASHED, (f"The kernel died while running {where} (a crash, exit(), or a memory or CPU "
                                 "limit); nothing could be graded.")
            except CellTimeoutError:  # no answer at all after the interrupt
                self.stop_kernel()
                return TIMED_OUT, hung
            except Exception as error:  # a message forged past Jupyter's format
                self.stop_kernel()
                return CRASHED, (f"{where} sent messages the grader could not read ({type(error).__name__}); "
                                 "nothing could be graded.")
            if raised(cell, "CellTimeoutError"):
                timed_out.append(where)
                if not self.responsive():
                    return TIMED_OUT, hung
            if raised(cell, "MemoryError"):
                out_of_memory.append(where)
        if out_of_memory:
            return OUT_OF_MEMORY, (f"{listed(out_of_memory)} ran out of memory (the limit is "
                                   f"{self.limits.memory / 2**30:g} GiB); the tasks were graded anyway.")
        if timed_out:
            return TIMED_OUT, (f"{listed(timed_out)} did not finish within {self.timeout} s (or the time left "
                               "for the whole submission) and were interrupted; the tasks were graded anyway.")
        return GRADED, "Graded."

    def out_of_time(self) -> str:
        return (f"Your submission used up the {self.submission_timeout:g} s allowed for a whole notebook (its "
                "cells and the hidden cases together); what had not run by then scored nothing.")

    def responsive(self) -> bool:
        """After an interrupt: does the kernel answer again? If not, it is shut down."""
        try:
            self.ask("result = {}", {}, 10)
            return True
        except (TimeoutError, KernelGone, harness.MalformedReply):
            self.stop_kernel()
            return False

    def stop_kernel(self) -> None:
        run_sync(self.km.shutdown_kernel)(now=True)

    def process_message(self, msg, cell, cell_index):
        """Every kind of output counts against one budget per notebook; what is over it is dropped
        before nbclient stores it. Comm (widget) messages are never kept."""
        msg_type = msg.get("msg_type")
        if not isinstance(msg.get("content"), dict):
            return None
        if msg_type in OUTPUT_TYPES:
            size = len(str(msg.get("content", "")))
            self.output_bytes += size
            if self.output_bytes > self.output_budget:
                if self.output_bytes - size <= self.output_budget:
                    cell.outputs.append(NotebookNode(output_type="stream", name="stderr", text=(
                        f"\n[output cut: this notebook printed more than {self.output_budget / 2**20:g} MiB; "
                        "later output is not shown]\n")))
                if msg_type != "error":
                    return None
                msg["content"] = {"ename": str(msg["content"].get("ename", ""))[:100],
                                  "evalue": str(msg["content"].get("evalue", ""))[:200], "traceback": []}
        elif msg_type and msg_type.startswith("comm"):
            return None
        if msg_type == "error":
            content = msg["content"]
            traceback = content.get("traceback")
            content["ename"] = str(content.get("ename", ""))[:200]
            content["evalue"] = CELL_FILE.sub("your cell", str(content.get("evalue", ""))[:MAX_ERROR_TEXT])
            content["traceback"] = [CELL_FILE.sub("your cell", str(line)[:MAX_ERROR_TEXT])
                                    for line in (traceback if isinstance(traceback, list) else [])[-50:]]
        elif msg_type == "status" and msg.get("content", {}).get("execution_state") == "idle":
            self._idle_seen = True
        return super().process_message(msg, cell, cell_index)

    def _reconnect(self, wait: bool = True) -> None:
        """A fresh client for the kernel (after zmq dropped an oversized message and its connection);
        with ``wait``, KernelGone unless the kernel answers within 30 s."""
        self.kc.stop_channels()
        self.kc = self.km.client()
        self.kc.start_channels()
        if wait:
            try:
                run_sync(self.kc.wait_for_ready)(timeout=30)
            except RuntimeError:
                raise KernelGone() from None

    # ------------------------------------------------------------------ asking the kernel

    def alive(self) -> bool:
        return run_sync(self.km.is_alive)()

    def ask(self, call: str, inputs: dict[str, np.ndarray], timeout: float) -> harness.Reply | None:
        """Run one call in the kernel; its validated reply, or None if none came back."""
        replies: list[object] = []

        def hook(msg):  # keeps only the last reply: a flood of them cannot fill the grader's memory
            content = msg.get("content")
            data = content.get("data") if isinstance(content, dict) else None
            if msg.get("msg_type") == "display_data" and isinstance(data, dict) and harness.MIME in data:
                replies[:] = [data[harness.MIME]]

        try:
            run_sync(self.kc.execute_interactive)(
                harness.kernel_code(call, inputs), store_history=False, allow_stdin=False,
                timeout=timeout, output_hook=hook)
        except (AttributeError, KeyError, TypeError, ValueError) as error:  # a message forged past Jupyter's format
            raise harness.MalformedReply(f"a message not in Jupyter's format ({type(error).__name__})") from None
        except TimeoutError:
            if not run_sync(self.kc.is_alive)():
                raise KernelGone() from None
            run_sync(self.km.interrupt_kernel)()
            self._reconnect(wait=False)
            raise
        if not run_sync(self.kc.is_alive)():
            raise KernelGone()
        return harness.read_reply(replies[-1]) if replies else None


def raised(cell: NotebookNode, ename: str) -> bool:
    return any(o.get("output_type") == "error" and o.get("ename") == ename for o in cell.get("outputs", []))


def listed(items, quote: str = "") -> str:
    return ", ".join(f"{quote}{item}{quote}" for item in items)
