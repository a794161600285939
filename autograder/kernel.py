"""A Jupyter kernel manager that starts the kernel inside the sandbox (see ``sandbox.py``)."""
from __future__ import annotations

import os
import subprocess
from pathlib import Path

from jupyter_client.manager import AsyncKernelManager

from .sandbox import Isolation, Limits, kernel_env, wrap


class SandboxedKernelManager(AsyncKernelManager):
    """Talks to the kernel over Unix sockets in its scratch folder (the sandbox has no network)."""

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
        kw.update(env=kernel_env(self.scratch), cwd=str(self.scratch), stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                  stderr=subprocess.DEVNULL)
        return await super()._async_launch_kernel(kernel_cmd, **kw)
