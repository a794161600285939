"""A Jupyter kernel manager that starts the kernel inside the sandbox (see ``sandbox.py``)."""
from __future__ import annotations

import os
import subprocess
from pathlib import Path

import zmq.asyncio
from jupyter_client.asynchronous import AsyncKernelClient
from jupyter_client.manager import AsyncKernelManager
from traitlets import Type, default

from .sandbox import Isolation, Limits, kernel_env, working_folder, wrap


MAX_MESSAGE_BYTES = 64 * 2**20  # larger messages from the kernel are dropped by zmq, never decoded


def _limited_context() -> zmq.asyncio.Context:
    context = zmq.asyncio.Context()
    context.setsockopt(zmq.MAXMSGSIZE, MAX_MESSAGE_BYTES)  # a default for every socket made from it
    return context


class LimitedKernelClient(AsyncKernelClient):
    """A kernel client whose sockets refuse messages over MAX_MESSAGE_BYTES."""

    @default("context")
    def _context_default(self) -> zmq.asyncio.Context:
        self._created_context = True
        return _limited_context()


class SandboxedKernelManager(AsyncKernelManager):
    """Talks to the kernel over Unix sockets in its scratch folder (the sandbox has no network).
    Every socket to the kernel refuses messages over MAX_MESSAGE_BYTES."""

    client_factory = Type(klass=LimitedKernelClient, default_value=LimitedKernelClient)

    @default("context")
    def _context_default(self) -> zmq.asyncio.Context:
        self._created_context = True
        return _limited_context()

    def configure(self, scratch: Path, isolation: Isolation, limits: Limits) -> None:
        self.scratch, self.isolation, self.limits = scratch, isolation, limits
        self.transport = "ipc"
        self.ip = str(scratch / "ipc")
        self.connection_file = str(scratch / "kernel.json")
        # Signals from outside do not reach into the sandbox's process namespace: the kernel is
        # asked to interrupt itself over its control channel instead.
        self.kernel_spec.interrupt_mode = "message"

    def format_kernel_cmd(self, extra_arguments=None):
        if self.isolation.uid is not None:  # the kernel reads its connection file as that user
            os.chown(self.connection_file, self.isolation.uid, self.isolation.gid)
        return wrap(super().format_kernel_cmd(extra_arguments), self.scratch, self.limits, self.isolation)

    async def _async_launch_kernel(self, kernel_cmd, **kw):
        home = working_folder(self.scratch, self.isolation)  # bubblewrap sets its own inside the sandbox
        kw.update(env=kernel_env(home), cwd=str(home if home.is_dir() else self.scratch), stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                  stderr=subprocess.DEVNULL)
        return await super()._async_launch_kernel(kernel_cmd, **kw)

    async def _async_shutdown_kernel(self, now: bool = False, restart: bool = False) -> None:
        """Killed at once, never asked to shut down: nothing of a student's kernel is kept, and a polite
        shutdown cost 0.2 s per notebook, and 3 s in one notebook of seven (measured, issue #12)."""
        await super()._async_shutdown_kernel(now=True, restart=restart)

    shutdown_kernel = _async_shutdown_kernel
