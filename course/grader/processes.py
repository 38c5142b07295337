"""Process bookkeeping for class grading: a worker dies with the grading process, and a worker
that is stopped takes every process it started with it.

Kernels run in sessions of their own (jupyter_client starts them so), and a sandboxed kernel's
bubblewrap clears its own parent-death signal, so neither a process group nor the parent-death
signal reaches them: :func:`kill_tree` walks the process tree instead (with psutil).
"""

import ctypes
import os
import signal

import psutil


def die_with_parent():
    """In a worker, before it starts: get SIGTERM when the grading process dies, however it dies
    (Ctrl-C, kill), so that no orphaned worker goes on grading (Linux's PR_SET_PDEATHSIG)."""
    ctypes.CDLL(None).prctl(1, signal.SIGTERM)


def kill_tree(pid):
    """SIGKILL every process below ``pid``, then ``pid`` itself (a worker and its kernels; a
    worker may call it on itself, so it goes last).

    The tree is frozen first (SIGSTOP, top down, until a walk finds no new process), so that a
    process forking at that moment (a worker starting a kernel, bubblewrap starting its child)
    cannot leave a child outside the walk."""
    try:
        root = psutil.Process(pid)
    except psutil.NoSuchProcess:
        return
    found = {}
    if pid != os.getpid():
        _stop(root)
    for _ in range(10):
        try:
            fresh = [p for p in root.children(recursive=True) if p.pid not in found]
        except psutil.NoSuchProcess:
            break
        if not fresh:
            break
        for process in fresh:
            found[process.pid] = process
            _stop(process)
    for process in [*found.values(), root]:
        try:
            process.kill()
        except psutil.NoSuchProcess:
            pass


def _stop(process):
    """Freeze ``process`` (SIGSTOP); nothing when it is gone."""
    try:
        process.suspend()
    except psutil.NoSuchProcess:
        pass
