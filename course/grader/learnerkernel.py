"""The kernel of a learner's own grading, started before anything else is imported.

A kernel takes about a second to boot, most of it the kernel's own imports; ``course grade``
starts it first (:func:`spawn`, a plain process, before the grader imports Jupyter's client,
nbformat or numpy), so that both happen at once on two cores. :class:`SpawnedKernel` is the
little of a jupyter_client ``KernelManager`` that nbclient uses (a client, interrupt, alive,
shut down) for such a process. The kernel writes its own connection file and listens on IPC
sockets in a private folder; it runs in an empty folder, with the grading kernel's settings
(:data:`KERNEL_ENV`), and ends with the grader.
"""

import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

KERNEL_ENV = {"MPLBACKEND": "agg"}
"""Set in every grading kernel, a learner's or a class's (:mod:`course.grader.trusted`): figures
are drawn as usual but never rendered to PNG (nobody looks at them while grading; rendering them
was up to 40 % of a notebook's grading time)."""


class KernelDidNotStart(RuntimeError):
    """The kernel process ended, or wrote no connection file in time; says what it printed."""


class SpawnedKernel:
    """A kernel process started by :func:`spawn`, for nbclient's ``km``."""

    has_kernel = True

    def __init__(self, process, folder):
        self.process, self.folder = process, Path(folder)
        self.connection_file = self.folder / "kernel.json"

    def client(self):
        """An asynchronous client connected to the kernel, once its connection file exists."""
        from course.grader.promptclient import PromptClient

        deadline = time.monotonic() + 60
        while not self._connection_ready():
            if self.process.poll() is not None or time.monotonic() > deadline:
                raise KernelDidNotStart(self._last_words())
            time.sleep(0.01)
        client = PromptClient()
        client.process = self.process
        client.load_connection_file(str(self.connection_file))
        return client

    def _connection_ready(self):
        """The connection file is written whole (the kernel writes it in one go, then closes)."""
        try:
            return bool(self.connection_file.read_text().strip().endswith("}"))
        except OSError:
            return False

    def _last_words(self):
        lines = (self.folder / "kernel.log").read_text(errors="replace").strip().splitlines()
        return lines[-1] if lines else f"the kernel ended with exit code {self.process.poll()}"

    async def is_alive(self):
        return self.process.poll() is None

    async def interrupt_kernel(self):
        """A KeyboardInterrupt in the running cell (ipykernel's own interrupt is a signal)."""
        if self.process.poll() is None:
            os.kill(self.process.pid, signal.SIGINT)

    async def shutdown_kernel(self, now=True, restart=False):
        self.stop()

    async def cleanup_resources(self, restart=False):
        pass

    def stop(self):
        """End the kernel and remove its folder."""
        if self.process.poll() is None:
            self.process.kill()
        self.process.wait()
        shutil.rmtree(self.folder, ignore_errors=True)


def spawn():
    """Start this interpreter's ipykernel now, in the background; return its kernel."""
    folder = Path(tempfile.mkdtemp(prefix="course-grade-"))
    (folder / "sockets").mkdir(mode=0o700)
    (folder / "work").mkdir()
    command = [
        sys.executable,
        "-m",
        "ipykernel_launcher",
        "-f",
        str(folder / "kernel.json"),
        "--IPKernelApp.transport=ipc",
        f"--IPKernelApp.ip={folder / 'sockets' / 'kernel'}",
        "--HistoryManager.hist_file=:memory:",
    ]
    with open(folder / "kernel.log", "wb") as log:
        process = subprocess.Popen(
            command,
            cwd=folder / "work",
            env={**os.environ, **KERNEL_ENV, "JPY_PARENT_PID": str(os.getpid())},
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    return SpawnedKernel(process, folder)
