"""Process bookkeeping for class grading: a worker dies with the grading process, and a worker
that is stopped takes every process it started with it.

Kernels run in sessions of their own (jupyter_client starts them so), and a sandboxed kernel's
bubblewrap clears its own parent-death signal, so neither a process group nor the parent-death
signal reaches them: :func:`kill_tree` walks the process tree instead.
"""

import ctypes
import os
import signal
from pathlib import Path


def die_with_parent():
    """In a worker, before it starts: get SIGTERM when the grading process dies, however it dies
    (Ctrl-C, kill), so that no orphaned worker goes on grading (Linux's PR_SET_PDEATHSIG)."""
    ctypes.CDLL(None).prctl(1, signal.SIGTERM)


def descendants(pid):
    """The pids of every process below ``pid`` in the process tree (children first)."""
    children = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        children.setdefault(int(fields[1]), []).append(int(stat.parent.name))
    found, todo = [], [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            found.append(child)
            todo.append(child)
    return found


def kill_tree(pid):
    """SIGKILL every process below ``pid``, then ``pid`` itself (a worker and its kernels; a
    worker may call it on itself, so it goes last)."""
    for target in [*descendants(pid), pid]:
        try:
            os.kill(target, signal.SIGKILL)
        except ProcessLookupError:
            pass
