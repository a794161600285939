"""The grader's side of one student's kernel: nbclient's ``NotebookClient``, used through its public
API, running the submitted notebook in a sandboxed kernel and then asking that kernel for the
hidden cases (:meth:`SubmissionClient.ask_batch`).

Everything the kernel sends is hostile: every kind of output counts against one budget per
notebook, comm (widget) messages are never kept, error texts are bounded and lose the kernel's
internal file names, messages forged past Jupyter's format end the run with a sentence, and one
deadline covers the whole submission.
"""
from __future__ import annotations

import math
import re
import time
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import numpy as np
import zmq.asyncio
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


@dataclass
class Answer:
    """What :meth:`SubmissionClient.ask_batch` got for one case."""

    reply: harness.Reply | None = None  # validated; None when no reply came back
    error: Exception | None = None      # MalformedReply; or, in the last answer, TimeoutError or KernelGone
    seconds: float = 0.0                # from the first reply of the case before (or the request) to its first
    budget: float = 0.0                 # the seconds a case that timed out was given


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
        # A session of its own: a client copies the manager's session, so its message ids would repeat those
        # of the client before (and of the manager's interrupt requests), and late messages of an interrupted
        # request would pass for those of the next.
        self.kc.session.session = str(uuid.uuid4())
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
        [answer] = self.ask_batch([(call, inputs)], lambda: timeout)
        if answer.error is not None:
            raise answer.error
        return answer.reply

    def ask_batch(self, calls: list[tuple[str, dict[str, np.ndarray]]], budget: Callable[[], float]) -> list[Answer]:
        """Run the calls in order in one execute request, each with its inputs bound in its own copy of
        the student's namespace: an Answer per call, up to the first that timed out or during which the
        kernel was found gone (its error says which).

        Case i may take ``budget()`` seconds (asked as it starts) from the first reply to case i - 1, or
        from the request for case 0; then the kernel is interrupted. Once every case has a reply, the
        end of the request is awaited for one more budget; if it does not come, the kernel is
        interrupted but no case fails.

        Whose reply is which: student code runs inside every case and may call ``display`` or replace
        it, so a reply counts for the index it carries. Case i's is the last carrying i that arrives
        before one carrying a higher index; one carrying j closes every case before j (those without a
        reply have none); one carrying a lower index than the highest so far, or no case's index, is
        ignored; one that cannot be read that far (or a message forged past Jupyter's format) counts for
        the first case without a reply. This gives student code no power it lacks with a request per
        case, where it can already forge its own case's reply and replace ``display`` for the cases
        after: a reply is never a verdict, the grader's own computation is. Time counts from the first
        reply of each index, so forged replies cannot lengthen a case either, and each case keeps one
        validated reply, so a flood of them cannot fill the grader's memory.
        """
        return run_sync(self._ask_batch)(calls, budget)

    async def _ask_batch(self, calls: list[tuple[str, dict[str, np.ndarray]]],
                         budget: Callable[[], float]) -> list[Answer]:
        code, count = harness.kernel_code(calls), len(calls)
        given = budget()  # of the running case, last + 1
        if given <= 0:
            return [Answer(error=TimeoutError(), budget=given)]
        # stop_on_error=False: a request that ends in an error (an interrupt) must not make the kernel abort the next
        msg_id = self.kc.execute(code, store_history=False, allow_stdin=False, stop_on_error=False)
        mark, last = time.monotonic(), -1  # when the running case started; the highest index replied to
        answers = [Answer() for _ in calls]
        channels = {channel.socket: channel for channel in (self.kc.iopub_channel, self.kc.shell_channel)}
        poller = zmq.asyncio.Poller()
        for socket in channels:
            poller.register(socket, zmq.POLLIN)
        idle = replied = False
        while not (idle and replied) and (wait := mark + given - time.monotonic()) > 0:
            for socket, _ in await poller.poll(math.ceil(1000 * wait)):
                try:
                    msg = await channels[socket].get_msg(timeout=0)
                    if msg["parent_header"].get("msg_id") != msg_id:
                        continue
                    msg_type, content = msg["msg_type"], msg["content"]
                    idle |= msg_type == "status" and content["execution_state"] == "idle"
                    replied |= msg_type == "execute_reply"
                    if msg_type != "display_data" or harness.MIME not in content["data"]:
                        continue
                    got = harness.read_reply(content["data"][harness.MIME], count)
                except (AttributeError, KeyError, TypeError, ValueError) as error:  # forged past Jupyter's format
                    got = harness.MalformedReply(f"a message not in Jupyter's format ({type(error).__name__})")
                except harness.MalformedReply as why:
                    got = why
                if got is None:  # names no case
                    continue
                index = last + 1 if got.case is None else got.case
                if index < last or index == count:
                    continue
                if index > last:
                    now = time.monotonic()
                    answers[index].seconds, mark, given, last = now - mark, now, budget(), index
                answers[index].reply, answers[index].error = (None, got) if isinstance(got, Exception) else (got, None)
        seconds, running = time.monotonic() - mark, last + 1
        if not await self.kc.is_alive():
            running = min(running, count - 1)
            answers[running] = Answer(error=KernelGone(), seconds=seconds)
            return answers[:running + 1]
        if idle and replied:
            return answers
        await self.km.interrupt_kernel()
        self._reconnect(wait=False)
        if running == count:
            return answers
        answers[running] = Answer(error=TimeoutError(), seconds=seconds, budget=given)
        return answers[:running + 1]


def raised(cell: NotebookNode, ename: str) -> bool:
    return any(o.get("output_type") == "error" and o.get("ename") == ename for o in cell.get("outputs", []))


def listed(items, quote: str = "") -> str:
    return ", ".join(f"{quote}{item}{quote}" for item in items)
