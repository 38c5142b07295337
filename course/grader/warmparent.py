"""The warm parent of one student's grading kernels: ``python -m course.grader.warmparent FD
STATEMENT... [-- STATEMENT...]``, started by :class:`course.grader.warmstart.WarmParent` inside
that student's sandbox (:mod:`course.grader.sandbox`).

A grading kernel spends most of its start importing: ipykernel, numpy, matplotlib, ipywidgets,
scikit-learn. The warm parent imports them once (each STATEMENT is an import statement of the
student's notebooks: the first notebook's, before the ``--``, it imports at once; the others' while
it waits for requests), says so on its control socket (the inherited descriptor FD, the grader's
end of which is the only one), then forks each of the student's kernels on request: the child is a
fresh ipykernel with the connection it was given, in its own session, working in the folder named.
The parent never runs a student's code, and no kernel can reach it: a kernel holds no end of the
control socket, cannot read or trace the parent (it is not dumpable) and, in the sandbox, cannot
signal it either (the parent is the sandbox's process 1, which ignores every signal sent from
inside, as bubblewrap's own process 1 does for a kernel started cold).

When a kernel ends (on its own, or killed on request), the parent kills every process it started
(the parent is the reaper of its sandbox, so none escapes by forking twice) and, in its sandbox,
where they are its own, empties ``/tmp`` and ``/dev/shm`` but for what the sandbox bound there;
only then does it tell the grader: the next kernel starts from the same clean state a cold
kernel would. (Unsandboxed, on purpose, they are the machine's: nothing is removed there.)

The parent collects no garbage, and freezes what it holds before each fork (``gc.freeze``): a
kernel's collections then skip the libraries' millions of objects rather than walk them, which
both costs time and writes to every page of them (a fork's pages are shared until written).

The course's own modules and ipywidgets are imported and then forgotten, so that each kernel
imports them afresh with a kernel present (``course.hints`` and ipywidgets hook into it then).

Control messages are JSON lines. From the grader: ``{"op": "start", "id", "connection",
"folder"}``, ``{"op": "signal", "id", "signum"}``, ``{"op": "kill", "id"}``; to the grader:
``{"ready": true}`` once warm, ``{"id", "pid"}`` once forked, ``{"id", "exit"}`` once a kernel
and all it started are gone.
"""

import ctypes
import gc
import json
import os
import random
import select
import shutil
import signal
import socket
import sys
import threading
from pathlib import Path

import psutil

from course.grader import processes  # before the course's modules are forgotten (warm)

PR_SET_PDEATHSIG = 1
PR_SET_DUMPABLE = 4
PR_SET_CHILD_SUBREAPER = 36
FORGOTTEN = ("course", "ipywidgets")
"""Packages imported to warm their dependencies, then removed from ``sys.modules``: their import
does something in a kernel (hooks into IPython) that it cannot do before one exists."""
KERNEL_MODULES = (
    "ipykernel.kernelapp",
    "ipykernel.ipkernel",
    "ipykernel.zmqshell",
    "ipykernel.debugger",
    "IPython.core.interactiveshell",
    "IPython.core.oinspect",
    "sqlite3",
    "tornado.gen",
    "tornado.locks",
    "tornado.queues",
)
"""What an ipykernel imports as it starts (its debugger, IPython's shell, the history's
database): half of a kernel's start once the libraries are in, so imported here too."""
SCRUBBED = ("/tmp", "/dev/shm")
"""Where a kernel may leave files for the next one; emptied between kernels."""


def warm(statements):
    """Run each import statement (``import numpy as np``) in a namespace thrown away; one that
    fails is skipped (the kernel meets the same error in its own cell). Then forget
    :data:`FORGOTTEN`."""
    for statement in statements:
        try:
            exec(statement, {})  # noqa: S102  (the course's own notebooks' import lines)
        except Exception:  # noqa: S112  (a missing library fails in the notebook itself)
            continue
    for name in list(sys.modules):
        if name.split(".")[0] in FORGOTTEN:
            del sys.modules[name]


def become_kernel(control, connection, folder):
    """In a forked child: become a fresh ipykernel with ``connection`` (the contents of its
    connection file) working in ``folder``; never returns."""
    code = 1
    try:
        control.close()  # the student's code gets no line to the parent
        gc.enable()  # collecting what the kernel makes, never what the parent froze
        os.setsid()  # a session of its own, as jupyter_client starts a kernel
        for number in (signal.SIGCHLD, signal.SIGTERM, signal.SIGPIPE):
            signal.signal(number, signal.SIG_DFL)
        signal.signal(signal.SIGINT, signal.default_int_handler)
        libc = ctypes.CDLL(None)
        libc.prctl(PR_SET_DUMPABLE, 1)  # its own process, as any kernel's
        libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL)  # unsandboxed, it dies with the parent
        random.seed()
        if "numpy" in sys.modules:  # the legacy global generator, as a fresh process seeds it
            sys.modules["numpy"].random.seed()
        os.chdir(folder)
        sys.path[0] = folder  # as python -m ipykernel_launcher puts its working folder first
        path = f"/tmp/kernel-{os.getpid()}.json"
        Path(path).write_text(json.dumps(connection))
        import ipykernel_launcher
        from ipykernel.kernelapp import IPKernelApp

        sys.argv = [ipykernel_launcher.__file__, "-f", path]
        IPKernelApp.launch_instance(argv=["-f", path])
        code = 0
    except SystemExit as stop:
        code = stop.code if isinstance(stop.code, int) else 1
    finally:
        os._exit(code)


class Parent:
    """The parent's state: its control socket, the kernels running (pid -> request id), and the
    paths under :data:`SCRUBBED` the sandbox bound (kept when emptying)."""

    def __init__(self, control, kept, later=()):
        self.control = control
        self.kernels = {}
        self.kept = kept
        self.pending = b""
        self.later = list(later)
        """Import statements still to run, one at a time while no request waits."""
        self.sandboxed = os.getpid() == 1
        """In the sandbox (its process 1), ``/tmp`` and ``/dev/shm`` are this parent's own."""

    def send(self, message):
        """Send one JSON line to the grader."""
        self.control.sendall((json.dumps(message) + "\n").encode())

    def serve(self):
        """Answer the grader's requests until it hangs up; then kill every kernel and return."""
        self.send({"ready": True, "threads": threading.active_count()})
        while True:
            ready, _, _ = select.select([self.control], [], [], 0 if self.later else 0.05)
            if not ready and self.later:
                warm([self.later.pop(0)])
            if ready:
                data = self.control.recv(65536)
                if not data:  # the grader is gone
                    break
                self.pending += data
                while b"\n" in self.pending:
                    line, self.pending = self.pending.split(b"\n", 1)
                    self.handle(json.loads(line))
            self.reap()
        for pid in list(self.kernels):
            self.end(pid, -signal.SIGKILL)

    def handle(self, request):
        """Carry out one request of the grader's."""
        op, ident = request.get("op"), request.get("id")
        pid = next((p for p, i in self.kernels.items() if i == ident), None)
        if op == "start":
            gc.freeze()
            child = os.fork()
            if child == 0:
                become_kernel(self.control, request["connection"], request["folder"])
            self.kernels[child] = ident
            self.send({"id": ident, "pid": child})
        elif op == "signal" and pid is not None:
            try:
                os.kill(pid, int(request["signum"]))
            except ProcessLookupError:
                pass
        elif op == "kill" and pid is not None:
            self.end(pid, -signal.SIGKILL)

    def reap(self):
        """Collect every child that has ended; for a kernel, finish it (:meth:`end`)."""
        while True:
            try:
                pid, status = os.waitpid(-1, os.WNOHANG)
            except ChildProcessError:
                return
            if pid == 0:
                return
            if pid in self.kernels:
                self.end(pid, os.waitstatus_to_exitcode(status))

    def end(self, pid, code):
        """Kernel ``pid`` is done: kill it with every process it started and, when no other
        kernel runs, every process left and, in the sandbox, every file under
        :data:`SCRUBBED`; then tell the grader its exit ``code``."""
        ident = self.kernels.pop(pid)
        processes.kill_tree(pid)
        if not self.kernels:
            for leftover in psutil.Process().children():
                processes.kill_tree(leftover.pid)
            for top in SCRUBBED if self.sandboxed else ():
                scrub(Path(top), self.kept)
        self.send({"id": ident, "exit": code})


def bound_paths():
    """The paths under :data:`SCRUBBED` that the sandbox bound (mount points): they stay."""
    kept = set()
    for line in Path("/proc/self/mountinfo").read_text().splitlines():
        mount_point = line.split()[4].encode().decode("unicode_escape")
        if any(mount_point.startswith(f"{top}/") for top in SCRUBBED):
            kept.add(mount_point)
    return kept


def scrub(folder, kept):
    """Remove everything under ``folder`` but the paths ``kept`` and the folders above them."""
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return
    for entry in entries:
        if entry.path in kept:
            continue
        if any(k.startswith(f"{entry.path}/") for k in kept):
            scrub(Path(entry.path), kept)
        elif entry.is_dir(follow_symlinks=False):
            shutil.rmtree(entry.path, ignore_errors=True)
        else:
            try:
                os.unlink(entry.path)
            except OSError:
                pass


def main(argv):
    """Serve the control socket ``argv[0]``, warm with the statements ``argv[1:]``: those
    before a ``--`` (the first notebook's) and :data:`KERNEL_MODULES` before it says it is
    ready, those after it while it waits for requests."""
    gc.disable()
    control = socket.socket(fileno=int(argv[0]))
    signal.signal(signal.SIGINT, signal.SIG_DFL)  # as process 1: no signal from a kernel
    statements = argv[1:]
    end = statements.index("--") if "--" in statements else len(statements)
    warm([*statements[:end], *(f"import {name}" for name in KERNEL_MODULES)])
    libc = ctypes.CDLL(None)
    libc.prctl(PR_SET_CHILD_SUBREAPER, 1)
    libc.prctl(PR_SET_DUMPABLE, 0)
    Parent(control, bound_paths(), later=statements[end + 1 :]).serve()


if __name__ == "__main__":
    main(sys.argv[1:])
