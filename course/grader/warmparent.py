"""The warm parent of a student's grading kernels: ``python -m course.grader.warmparent SOCKET
STATEMENT...``, run inside that student's sandbox (:mod:`course.grader.sandbox`).

A grading kernel spends most of its start importing: ipykernel, numpy, matplotlib, ipywidgets,
scikit-learn. The warm parent imports them once (each STATEMENT is an import statement of the
notebooks being graded), then listens on the Unix socket SOCKET. For each connection (one
kernel's launcher, :func:`course.grader.warmstart.launch`), it forks: the child is a fresh
ipykernel with that kernel's connection, in the working folder named, and the parent tells the
launcher how the child ended, then kills whatever the child left running (the parent is the
subreaper of its sandbox) and empties ``/tmp``. It never runs a student's code itself, and no
child can read or trace it (it is not dumpable). When a launcher goes away (its kernel was shut
down or killed), the child goes with everything it started.

The course's own modules are imported and then forgotten, so that each kernel imports them
afresh, with IPython present (``course.hints`` installs its messages then); so are ipywidgets'.
"""

import ctypes
import importlib.util
import json
import os
import random
import select
import shutil
import signal
import socket
import sys
from pathlib import Path

import psutil

from course.grader import processes  # before the course's modules are forgotten (warm)

PR_SET_DUMPABLE = 4
PR_SET_CHILD_SUBREAPER = 36
FORGOTTEN = ("course", "ipywidgets")
"""Packages imported to warm their dependencies, then removed from ``sys.modules``: their import
does something in a kernel (hooks into IPython) that it cannot do before one exists."""
KEPT_IN_TMP = ("matplotlib",)
"""What ``/tmp`` keeps from kernel to kernel: matplotlib's font list, read-only, bound there by
the sandbox (the rest of ``/tmp`` is emptied after each kernel)."""


def warm(statements):
    """Run each import statement (``import numpy as np``) in a namespace thrown away; one that
    fails is skipped (the kernel will meet the same error in its own cell)."""
    os.environ.setdefault("MPLBACKEND", "agg")
    for statement in statements:
        try:
            exec(statement, {})  # noqa: S102  (the course's own notebooks' import lines)
        except Exception:  # noqa: S112  (a missing library fails in the notebook itself)
            continue
    import ipykernel.ipkernel  # noqa: F401
    import ipykernel.kernelapp  # noqa: F401  (the kernel itself)

    for name in list(sys.modules):
        if name.split(".")[0] in FORGOTTEN:
            del sys.modules[name]


def become_kernel(connection, folder):
    """In a forked child: become a fresh ipykernel with ``connection`` (the contents of its
    connection file) in the working folder ``folder``; never returns."""
    code = 1
    try:
        for number in (signal.SIGCHLD, signal.SIGTERM, signal.SIGPIPE):
            signal.signal(number, signal.SIG_DFL)
        signal.signal(signal.SIGINT, signal.default_int_handler)
        ctypes.CDLL(None).prctl(PR_SET_DUMPABLE, 1)
        random.seed()
        if "numpy" in sys.modules:  # the legacy global generator, as a fresh process seeds it
            sys.modules["numpy"].random.seed()
        os.chdir(folder)
        sys.path[0] = folder
        path = f"/tmp/kernel-{os.getpid()}.json"
        Path(path).write_text(json.dumps(connection))
        from ipykernel.kernelapp import IPKernelApp

        sys.argv = [importlib.util.find_spec("ipykernel_launcher").origin, "-f", path]
        IPKernelApp.launch_instance(argv=["-f", path])
        code = 0
    except SystemExit as stop:
        code = stop.code if isinstance(stop.code, int) else 1
    finally:
        os._exit(code)


def serve(address, statements):
    """Warm up, then fork a kernel for each launcher that connects to ``address``."""
    warm(statements)
    libc = ctypes.CDLL(None)
    libc.prctl(PR_SET_CHILD_SUBREAPER, 1)
    libc.prctl(PR_SET_DUMPABLE, 0)
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    listener.bind(address + ".new")
    listener.listen(8)
    os.rename(address + ".new", address)  # a launcher connects only once all is warm
    kernels = {}  # child pid -> (its launcher's connection, its folder)
    while True:
        ready, _, _ = select.select([listener, *(c for c, _ in kernels.values())], [], [], 0.05)
        for conn in ready:
            if conn is listener:
                _accept(listener, kernels)
            elif not _still_there(conn):  # the launcher is gone: so is its kernel
                _end(next(p for p, (c, _) in kernels.items() if c is conn), kernels)
        _reap(kernels)


def _still_there(conn):
    """False once the launcher at the other end of ``conn`` has closed it (or died)."""
    try:
        return bool(conn.recv(64))
    except OSError:
        return False


def _accept(listener, kernels):
    """Read one launcher's request (a JSON line: ``connection``, ``folder``) and fork its kernel;
    a connection that sends no request within 10 s is closed."""
    conn, _ = listener.accept()
    conn.settimeout(10)
    try:
        request = json.loads(conn.makefile().readline())
        connection, folder = request["connection"], str(request["folder"])
    except (OSError, ValueError, KeyError, TypeError):
        conn.close()
        return
    conn.settimeout(None)
    pid = os.fork()
    if pid == 0:
        conn.close()
        listener.close()
        become_kernel(connection, folder)
    kernels[pid] = (conn, folder)


def _reap(kernels):
    """Tell each launcher whose kernel has ended how it ended, and clean up after it; reap the
    orphans killed (reparented here)."""
    while True:
        try:
            pid, status = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return
        if pid == 0:
            return
        if pid in kernels:
            try:
                message = {"exit": os.waitstatus_to_exitcode(status)}
                kernels[pid][0].sendall((json.dumps(message) + "\n").encode())
            except OSError:
                pass
            _end(pid, kernels)


def _end(pid, kernels):
    """Kernel ``pid`` is done: kill it with every process it started, close its launcher's
    connection, remove its folder, and, when no other kernel runs, kill every process left
    (reparented here) and empty ``/tmp`` for the next kernel."""
    conn, folder = kernels.pop(pid)
    conn.close()
    processes.kill_tree(pid)
    if Path(folder).resolve().parent == Path.cwd():  # a kernel's folder in the scratch folder
        shutil.rmtree(folder, ignore_errors=True)
    if kernels:
        return
    for orphan in psutil.Process().children():
        processes.kill_tree(orphan.pid)
    for entry in Path("/tmp").iterdir():
        if entry.name in KEPT_IN_TMP:
            continue
        if entry.is_dir() and not entry.is_symlink():
            shutil.rmtree(entry, ignore_errors=True)
        else:
            entry.unlink(missing_ok=True)


if __name__ == "__main__":
    serve(sys.argv[1], sys.argv[2:])
