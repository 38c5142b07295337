"""Warm grading kernels, the grader's side: one warm parent per student, started by the worker.

Class grading (:mod:`course.grader.worker`) grades a student's notebooks one after another. For
a student with more than one notebook to grade, the worker starts a :class:`WarmParent`:
:mod:`course.grader.warmparent` in that student's own sandbox (the sandbox of a kernel,
:func:`course.grader.sandbox.sandbox_command`, around a folder of its own), which imports what
those notebooks import once. While it is :func:`current`, the course's kernel provisioner
(:mod:`course.grader.provisioner`) forks each of the student's kernels from it instead of
starting one cold. When the next student's turn comes, the parent is killed with everything in
its sandbox, and its folder removed: no process, file or module of one student's grading is
left for another's. With the sandbox switched off on purpose, the parent runs unsandboxed, as
the kernels then do.
"""

import ast
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from course.grader import processes, sandbox
from course.grader.learnerkernel import KERNEL_ENV

COLD_ENV = "COURSE_COLD_KERNELS"
"""Set to 1 (``course autograde --cold``), every kernel starts cold."""
READY_WAIT = 60.0
"""Seconds a parent may take to import (a loaded machine); past it, it is stopped and kernels
start cold (before class grading's limit on a kernel's start, 90 s)."""
REPLY_WAIT = 20.0
"""Seconds a parent may take to fork a kernel; past it, it is stopped and kernels start cold."""


class ParentGone(RuntimeError):
    """The warm parent died or stopped answering: the kernel starts cold instead."""


def import_lines(notebooks):
    """The import statements, as source lines (``import numpy as np``), of the code cells of
    ``notebooks`` (paths to .ipynb files) that run in a student's kernel: not the test cells,
    which run in the grader; each once, in order of appearance."""
    import nbformat

    from course.grader.trusted import is_autograder_test

    lines = {}
    for path in notebooks:
        try:
            cells = nbformat.read(path, as_version=4).cells
        except (OSError, ValueError):
            continue
        for cell in cells:
            if cell.cell_type != "code" or is_autograder_test(cell):
                continue
            try:
                tree = ast.parse(cell.source)
            except SyntaxError:
                continue
            for node in tree.body:
                if isinstance(node, ast.Import | ast.ImportFrom) and not getattr(node, "level", 0):
                    lines[ast.unparse(node)] = None
    return list(lines)


class WarmParent:
    """One student's warm parent: a process in their sandbox that forks their kernels, and the
    grader's end of its control socket (see :mod:`course.grader.warmparent` for the messages).

    ``folder`` is the parent's own (made here, removed by :meth:`stop`): its kernels' IPC
    sockets go in ``folder/sockets``, their working folders in ``folder/kernels``; in the
    sandbox it is the only place they can write."""

    def __init__(self, statements, hidden, sandboxed):
        """``statements``: what to import (:mod:`course.grader.warmparent`'s arguments);
        ``hidden``: the folders the sandbox hides; ``sandboxed``: False when the sandbox is
        switched off on purpose."""
        self.sandboxed = sandboxed
        self.folder = Path(tempfile.mkdtemp(prefix=f"course-warm-{os.getpid()}-"))
        self.sockets = self.folder / "sockets"
        self.kernels = self.folder / "kernels"
        self.sockets.mkdir(mode=0o700)
        self.kernels.mkdir()
        ours, theirs = socket.socketpair()
        python = [sys.executable]
        if sandboxed:
            sandbox.ensure_font_cache()
            python = sandbox.sandbox_command(
                str(self.folder), str(self.sockets), None, hidden, init=True
            )
        command = [*python, "-m", "course.grader.warmparent", str(theirs.fileno()), *statements]
        self.process = subprocess.Popen(
            command,
            env={**os.environ, **KERNEL_ENV},
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            cwd=self.folder,
            pass_fds=[theirs.fileno()],
        )
        theirs.close()
        self.control = ours
        self.replies = []
        self.pending = b""
        self.ready = False
        self.count = 0

    def alive(self):
        """True while the parent's process runs."""
        return self.process.poll() is None

    def start(self, connection, folder):
        """Have the parent fork a kernel with ``connection`` (a connection file's contents)
        working in ``folder``; return the kernel's id. Raises :class:`ParentGone` when the
        parent is gone, or has not warmed up in :data:`READY_WAIT` or forked in
        :data:`REPLY_WAIT` seconds."""
        self.count += 1
        ident = self.count
        try:
            if not self.ready:
                self._wait_for(lambda m: m.get("ready"), READY_WAIT)
                self.ready = True
            message = {"op": "start", "id": ident, "connection": connection}
            self._send(message | {"folder": str(folder)})
            self._wait_for(lambda m: m.get("id") == ident and "pid" in m, REPLY_WAIT)
        except TimeoutError:
            raise ParentGone("the warm parent did not answer in time") from None
        return ident

    def signal(self, ident, signum):
        """Send kernel ``ident`` the signal ``signum``."""
        self._send({"op": "signal", "id": ident, "signum": int(signum)})

    def kill(self, ident):
        """Ask the parent to kill kernel ``ident`` with all it started (see :meth:`exit_code`)."""
        self._send({"op": "kill", "id": ident})

    def exit_code(self, ident, wait=0.0):
        """Kernel ``ident``'s exit code once it and all it started are gone, else None (after
        waiting up to ``wait`` seconds). Raises :class:`ParentGone` when the parent is."""
        try:
            found = self._wait_for(lambda m: m.get("id") == ident and "exit" in m, wait)
        except TimeoutError:
            return None
        return int(found["exit"])

    def stop(self):
        """Kill the parent with every process of its sandbox; remove its folder."""
        processes.kill_tree(self.process.pid)
        self.process.wait()
        self.control.close()
        shutil.rmtree(self.folder, ignore_errors=True)

    def _send(self, message):
        try:
            self.control.sendall((json.dumps(message) + "\n").encode())
        except OSError as error:
            raise ParentGone(f"the warm parent is gone ({error})") from None

    def _wait_for(self, wanted, wait):
        """The first message that ``wanted(message)`` accepts, received within ``wait`` seconds
        (TimeoutError past it; :class:`ParentGone` when the parent hangs up)."""
        deadline = time.monotonic() + wait
        while True:
            for message in self.replies:
                if wanted(message):
                    self.replies.remove(message)
                    return message
            self.control.settimeout(max(0.0, deadline - time.monotonic()))  # 0: just look
            try:
                data = self.control.recv(65536)
            except (BlockingIOError, TimeoutError):
                raise TimeoutError from None
            except OSError as error:
                raise ParentGone(f"the warm parent is gone ({error})") from None
            if not data:
                raise ParentGone("the warm parent is gone")
            self.pending += data
            while b"\n" in self.pending:
                line, self.pending = self.pending.split(b"\n", 1)
                self.replies.append(json.loads(line))


_current = None
"""The warm parent kernels are forked from now, in this process (:func:`current`)."""


def current():
    """The warm parent of the student being graded in this process, or None (kernels start
    cold: a single notebook, plain ``nbgrader autograde``, a parent that died)."""
    if _current is not None and _current.alive():
        return _current
    return None


def remove_leftovers(pid):
    """Remove what a grading process ``pid`` that was killed left behind: its kernels' sockets
    folder and its warm parents' folders."""
    warm = Path(tempfile.gettempdir()).glob(f"course-warm-{pid}-*")
    for folder in [sandbox.sockets_folder(pid), *warm]:
        shutil.rmtree(folder, ignore_errors=True)


def discard(parent):
    """Stop ``parent`` (it stopped answering), and fork no more kernels from it."""
    global _current
    if parent is _current:
        _current = None
    parent.stop()


class WarmKernels:
    """A worker's warm parents: one at a time, for the student it grades now (:meth:`use`)."""

    def __init__(self, root):
        self.root = Path(root)
        self.student = None

    def use(self, student, assignment_ids):
        """From now on, kernels are ``student``'s: forked from their warm parent, the one
        running if it is theirs, else a new one warmed with the imports of ``assignment_ids``
        (the notebooks this worker is to grade for them; cold for fewer than two)."""
        global _current
        if student == self.student and current() is not None:
            return
        self.stop()
        sandboxed = not sandbox.switched_off()
        if os.environ.get(COLD_ENV) == "1" or len(assignment_ids) < 2:
            return
        if sandboxed and sandbox.available() is not None:
            return  # grading refuses: the sandbox should run and cannot
        notebooks = [self.root / "release" / a / f"{a}.ipynb" for a in assignment_ids]
        first = import_lines(notebooks[:1])
        rest = [line for line in import_lines(notebooks) if line not in first]
        _current = WarmParent([*first, "--", *rest], sandbox.hidden_folders(), sandboxed)
        self.student = student

    def stop(self):
        """Stop the warm parent, if one runs; kernels start cold until the next :meth:`use`."""
        global _current
        parent, _current, self.student = _current, None, None
        if parent is not None:
            parent.stop()
