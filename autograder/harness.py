"""What the grader sends into the student's kernel, and how it reads the answer back.

The kernel side (``KERNEL_SOURCE``) runs a task's cases in order, each in its own copy of the
student's namespace, and after each sends its outputs back as ``.npy`` bytes in one display message
that carries the case's index. The grader side only ever decodes plain numeric arrays
(``allow_pickle=False``), so a crafted return value cannot run code here; whatever arrives is
compared with references the kernel never sees.
"""
from __future__ import annotations

import base64
import io
import json
from dataclasses import dataclass

import numpy as np

MIME = "application/x-backprop-lab+json"
MAX_REPLY_BYTES = 48 * 2**20  # below the socket limit, kernel.MAX_MESSAGE_BYTES

KERNEL_SOURCE = r'''
def _bplab_run(cases, mime):
    import base64, io, json, threading, time, traceback
    import numpy
    from IPython import get_ipython

    def decode(text):
        return numpy.load(io.BytesIO(base64.b64decode(text)), allow_pickle=False)

    def encode(value, dtype=numpy.float64):
        buffer = io.BytesIO()
        numpy.save(buffer, numpy.array(value, dtype=dtype), allow_pickle=False)
        return base64.b64encode(buffer.getvalue()).decode("ascii")

    for index, (call, payload) in enumerate(cases):
        from IPython.display import display  # per case, as when each case was a request of its own
        passed = {name: decode(text) for name, text in json.loads(payload).items()}
        env = dict(get_ipython().user_ns)
        env.update(passed)
        env["np"] = numpy
        reply = {"case": index, "outputs": {}, "unconvertible": {}}
        interrupted = False
        start = time.perf_counter()
        try:
            exec(compile(call, "<grader>", "exec"), env)
            reply["seconds"] = time.perf_counter() - start
            for name, value in dict(env["result"]).items():
                try:
                    reply["outputs"][str(name)] = encode(value)
                except Exception as error:
                    reply["unconvertible"][str(name)] = type(error).__name__
        except BaseException as error:
            frames = [f for f in traceback.extract_tb(error.__traceback__) if f.filename != "<grader>"]
            where = f" (in `{frames[-1].name}`, line {frames[-1].lineno})" if frames else ""
            reply["error"] = f"{type(error).__name__}: {error}"[:300] + where
            interrupted = isinstance(error, KeyboardInterrupt)
        reply["inputs_after"] = {}
        for name, value in passed.items():
            try:
                reply["inputs_after"][name] = encode(value, value.dtype)
            except Exception:
                pass
        display({mime: json.dumps(reply)}, raw=True)
        sent = threading.Event()  # sent before the next case runs: a case that kills the kernel must not take it along
        get_ipython().kernel.iopub_thread.schedule(sent.set)
        sent.wait()
        if interrupted:  # the grader's time-out: it has given up on this request
            return
'''


def encode_array(array: np.ndarray) -> str:
    buffer = io.BytesIO()
    np.save(buffer, np.asarray(array), allow_pickle=False)
    return base64.b64encode(buffer.getvalue()).decode("ascii")


def decode_array(text: object) -> np.ndarray | None:
    """A float64 array from the kernel, or None if ``text`` is not a plain numeric ``.npy``."""
    try:
        array = np.load(io.BytesIO(base64.b64decode(str(text), validate=True)), allow_pickle=False)
    except Exception:
        return None
    if type(array) is not np.ndarray or array.dtype.kind not in "biuf":
        return None
    return array.astype(np.float64)


def kernel_code(calls: list[tuple[str, dict[str, np.ndarray]]]) -> str:
    """One cell of code that runs each ``call`` in the student's namespace with its ``inputs`` bound."""
    cases = [(call, json.dumps({name: encode_array(value) for name, value in inputs.items()}))
             for call, inputs in calls]
    return (f"exec({KERNEL_SOURCE!r}, _bplab := {{}})\n"
            f"_bplab['_bplab_run']({cases!r}, {MIME!r})\n"
            f"del _bplab")


class MalformedReply(Exception):
    """The kernel's reply is not what the harness sends; the message says what was wrong."""

    case: int | None = None  # the case the reply names, when it could be read that far


@dataclass(frozen=True)
class Reply:
    """A validated reply: every field has its type and a bounded size."""

    case: int  # the index of the case it answers
    outputs: dict[str, str]
    unconvertible: dict[str, str]
    inputs_after: dict[str, str]
    seconds: float | None
    error: str | None


REPLY_FIELDS = {"case", "outputs", "unconvertible", "inputs_after", "seconds", "error"}
MAX_NAMES = 64        # outputs / inputs in one reply
MAX_NAME_CHARS = 64
MAX_ERROR_CHARS = 2000


def _names_to_text(reply: dict, key: str, max_value: int) -> dict[str, str]:
    value = reply.get(key, {})
    if not isinstance(value, dict) or len(value) > MAX_NAMES:
        raise MalformedReply(f"`{key}` is not a mapping of at most {MAX_NAMES} names")
    for name, text in value.items():
        if len(name) > MAX_NAME_CHARS or not isinstance(text, str) or len(text) > max_value:
            raise MalformedReply(f"`{key}` holds a name or value of the wrong type or size")
    return value


def read_reply(data: object, cases: int) -> Reply | None:
    """Parse and validate the kernel's reply (untrusted) to one of ``cases`` cases: None when it names
    none of them, MalformedReply when it is not a reply."""
    if not isinstance(data, str) or len(data) > MAX_REPLY_BYTES:
        raise MalformedReply("the reply is not text or is larger than "f"{MAX_REPLY_BYTES // 2**20} MiB")
    try:
        reply = json.loads(data)
    except (ValueError, RecursionError):
        raise MalformedReply("the reply is not valid JSON or is nested too deeply") from None
    if not isinstance(reply, dict):
        raise MalformedReply("the reply has unknown fields")
    case = reply.get("case")
    if type(case) is not int or not 0 <= case < cases:
        return None
    try:
        return _read_fields(reply, case)
    except MalformedReply as why:
        why.case = case
        raise


def _read_fields(reply: dict, case: int) -> Reply:
    if set(reply) - REPLY_FIELDS:
        raise MalformedReply("the reply has unknown fields")
    seconds = reply.get("seconds")
    if seconds is not None and (type(seconds) not in (int, float) or not 0 <= seconds < float("inf")):
        raise MalformedReply("`seconds` is not a time")
    error = reply.get("error")
    if error is not None and (not isinstance(error, str) or len(error) > MAX_ERROR_CHARS):
        raise MalformedReply("`error` is not a short text")
    return Reply(case, _names_to_text(reply, "outputs", MAX_REPLY_BYTES), _names_to_text(reply, "unconvertible", 100),
                 _names_to_text(reply, "inputs_after", MAX_REPLY_BYTES),
                 None if seconds is None else float(seconds), error)
