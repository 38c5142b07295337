"""Warm grading kernels, the grader's side: one warm parent per student, and each kernel's launcher.

Class grading (:mod:`course.grader.worker`) grades a student's notebooks one after another. For
each student it starts a :class:`WarmParent`: :mod:`course.grader.warmparent` in that student's
own sandbox (the same bubblewrap command as a kernel's, :func:`course.grader.sandbox.
sandbox_command`), which imports what the notebooks import once and forks each of the student's
kernels from there. The kernelspec's entry (:func:`course.grader.sandbox.main`) then calls
:func:`launch`, which asks the warm parent for the kernel instead of starting bubblewrap, and
stands for the kernel towards jupyter_client until it ends. When the next student's turn
comes, the parent is killed with everything in its sandbox, and a new one starts for them: no
process, file or module of one student's grading is left for another's.

Each kernel works in a folder of its own, a copy of the submission's files but its notebooks,
in the parent's scratch folder (the only folder of the student's the sandbox can write). Where
the warm parent cannot be reached (it died), the launcher starts a kernel cold, as before.
"""

import ast
import json
import os
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path

WARM_ENV = "COURSE_WARM_PARENT"
"""Set while a warm parent is up, in the environment grading kernels start from: JSON with its
``socket``, its process id ``pid`` (outside the sandbox) and its ``scratch`` folder."""


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
    """One student's warm parent: a process in their sandbox that forks their kernels."""

    def __init__(self, sockets, hidden, statements):
        """``sockets``: the folder of the kernels' IPC sockets (the parent's socket goes there
        too); ``hidden``: the folders the sandbox hides; ``statements``: what to import."""
        from course.grader import sandbox
        from course.grader.learnerkernel import KERNEL_ENV

        self.scratch = Path(tempfile.mkdtemp(prefix="course-warm-"))
        self.socket = Path(sockets) / f"warm-{os.getpid()}-{self.scratch.name}"
        command = sandbox.sandbox_command(str(self.scratch), str(sockets), None, hidden)
        command += ["-m", "course.grader.warmparent", str(self.socket), *statements]
        env = {**os.environ, **KERNEL_ENV}
        self.process = subprocess.Popen(
            command, env=env, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, cwd="/"
        )

    @property
    def spec(self):
        """The value of :data:`WARM_ENV` that points launchers at this parent."""
        socket_path, pid, scratch = str(self.socket), self.process.pid, str(self.scratch)
        return json.dumps({"socket": socket_path, "pid": pid, "scratch": scratch})

    def stop(self):
        """Kill the parent with every process of its sandbox; remove its scratch folder."""
        from course.grader import processes

        processes.kill_tree(self.process.pid)
        self.process.wait()
        shutil.rmtree(self.scratch, ignore_errors=True)
        self.socket.unlink(missing_ok=True)


class WarmKernels:
    """A worker's warm kernels: the parent of the student being graded now (:meth:`use`)."""

    def __init__(self, sockets, hidden, statements):
        self.sockets, self.hidden, self.statements = Path(sockets), hidden, statements
        self.student, self.parent = None, None

    def use(self, student):
        """Kernels started from now on are forked from ``student``'s warm parent: the one
        running if it is theirs, else a new one (the last student's is stopped first, and the
        sockets folder, which their kernels could write, emptied)."""
        if student == self.student and self.parent and self.parent.process.poll() is None:
            return
        self.stop()
        for entry in self.sockets.iterdir():
            entry.unlink(missing_ok=True) if not entry.is_dir() else shutil.rmtree(entry, True)
        self.parent = WarmParent(self.sockets, self.hidden, self.statements)
        self.student = student
        os.environ[WARM_ENV] = self.parent.spec

    def stop(self):
        """Stop the warm parent, if one runs; kernels start cold until the next :meth:`use`."""
        os.environ.pop(WARM_ENV, None)
        if self.parent:
            self.parent.stop()
        self.student, self.parent = None, None


def launch(connection_file, spec, wait=90.0):
    """The kernelspec's entry, with a warm parent up (``spec``: :data:`WARM_ENV`): have the parent
    fork the kernel of ``connection_file`` in a copy of this folder's files, and wait for it to
    end. Returns the kernel's exit code, or None when the parent could not be reached within
    ``wait`` seconds or is gone (then start the kernel cold)."""
    info = json.loads(spec)
    conn = _connect(info["socket"], info["pid"], wait)
    if conn is None:
        return None
    folder = Path(tempfile.mkdtemp(prefix="kernel-", dir=info["scratch"]))
    shutil.copytree(".", folder, symlinks=True, dirs_exist_ok=True, ignore=_notebooks)
    request = {"connection": json.loads(Path(connection_file).read_text()), "folder": str(folder)}
    conn.sendall((json.dumps(request) + "\n").encode())
    reply = conn.makefile().readline()  # the parent removes the folder
    try:
        return int(json.loads(reply)["exit"])
    except (ValueError, KeyError, TypeError):
        return 1  # the parent died with the kernel


def _notebooks(folder, names):
    """shutil.copytree's ``ignore``: a submission's notebooks stay out of the kernel's folder
    (the graded one, as nbgrader merged it, holds the hidden tests)."""
    return [name for name in names if name.endswith(".ipynb")]


def _connect(address, pid, wait):
    """A connection to the warm parent at ``address`` (process ``pid``), once it listens; None
    when it does not within ``wait`` seconds, or is gone."""
    import psutil

    deadline = time.monotonic() + wait
    while time.monotonic() < deadline:
        try:
            conn = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            conn.connect(address)
            return conn
        except OSError:
            conn.close()
        try:
            if psutil.Process(pid).status() == psutil.STATUS_ZOMBIE:
                return None
        except psutil.NoSuchProcess:
            return None
        time.sleep(0.01)
    return None
