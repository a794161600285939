"""What the grader sends into the student's kernel, and how it reads the answer back.

The kernel side (``KERNEL_SOURCE``) calls the student's functions and sends their outputs back
as ``.npy`` bytes in one display message. The grader side only ever decodes plain numeric arrays
(``allow_pickle=False``), so a crafted return value cannot run code here; whatever arrives is
compared with references the kernel never sees.
"""
from __future__ import annotations

import base64
import io
import json

import numpy as np

MIME = "application/x-backprop-lab+json"
MAX_REPLY_BYTES = 64 * 2**20

KERNEL_SOURCE = r'''
def _bplab_run(call, payload, mime):
    import base64, io, json, traceback
    import numpy
    from IPython import get_ipython
    from IPython.display import display

    def decode(text):
        return numpy.load(io.BytesIO(base64.b64decode(text)), allow_pickle=False)

    def encode(value):
        buffer = io.BytesIO()
        numpy.save(buffer, numpy.array(value, dtype=numpy.float64), allow_pickle=False)
        return base64.b64encode(buffer.getvalue()).decode("ascii")

    passed = {name: decode(text) for name, text in json.loads(payload).items()}
    env = dict(get_ipython().user_ns)
    env.update(passed)
    env["np"] = numpy
    reply = {"outputs": {}, "unconvertible": {}}
    import time
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
    reply["inputs_after"] = {}
    for name, value in passed.items():
        try:
            reply["inputs_after"][name] = encode(value)
        except Exception:
            pass
    display({mime: json.dumps(reply)}, raw=True)
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


def kernel_code(call: str, inputs: dict[str, np.ndarray]) -> str:
    """One cell of code that runs ``call`` in the student's namespace with ``inputs`` bound."""
    payload = json.dumps({name: encode_array(value) for name, value in inputs.items()})
    return (f"exec({KERNEL_SOURCE!r}, _bplab := {{}})\n"
            f"_bplab['_bplab_run']({call!r}, {payload!r}, {MIME!r})\n"
            f"del _bplab")


def read_reply(data: object) -> dict | None:
    """Parse the kernel's reply (untrusted); None when it is not a well-formed reply."""
    if not isinstance(data, str) or len(data) > MAX_REPLY_BYTES:
        return None
    try:
        reply = json.loads(data)
    except ValueError:
        return None
    if not isinstance(reply, dict) or not isinstance(reply.get("outputs", {}), dict):
        return None
    return reply
