"""Where the course keeps things: its root (the folder of ``nbgrader_config.py``), the
assignments, and the student's workspace."""

import os
import sys
from pathlib import Path


def _root():
    """``$COURSE_ROOT``; else this package's repository (a checkout, installed editable); else,
    for an installed package (a hub's shared environment), the current folder."""
    if os.environ.get("COURSE_ROOT"):
        return Path(os.environ["COURSE_ROOT"]).resolve()
    checkout = Path(__file__).resolve().parents[2]
    return checkout if (checkout / "nbgrader_config.py").is_file() else Path.cwd().resolve()


ROOT = _root()
"""The course root, holding ``nbgrader_config.py``, ``source/`` and ``release/``: this repository,
the folder ``$COURSE_ROOT`` names (a copy of the course on a grading server, say), or, where the
package is installed rather than checked out, the folder the instructor runs ``course`` in."""


def workspace_dir():
    """The student's workspace: ``$COURSE_WORKSPACE`` or ``workspace/`` in the course root."""
    return Path(os.environ.get("COURSE_WORKSPACE", ROOT / "workspace")).resolve()


def assignments(root=ROOT):
    """The assignment ids, in course order: the folders of ``source/`` holding ``<id>.ipynb``."""
    source = Path(root) / "source"
    return sorted(p.name for p in source.iterdir() if (p / f"{p.name}.ipynb").is_file())


def check_assignments(ids, root=ROOT):
    """Return ``ids`` (all assignments when empty); raise ValueError naming an unknown one."""
    known = assignments(root)
    unknown = [i for i in ids if i not in known]
    if unknown:
        raise ValueError(
            f"unknown assignment {', '.join(unknown)}; the course has: {', '.join(known)}"
        )
    return list(ids) or known


def put_interpreter_on_path():
    """Put this interpreter's scripts folder first on PATH: nbgrader runs ``alembic`` from there
    when it creates a gradebook, and the kernels it starts are found there."""
    scripts = str(Path(sys.executable).parent)
    if os.environ.get("PATH", "").split(os.pathsep)[0] != scripts:
        os.environ["PATH"] = scripts + os.pathsep + os.environ.get("PATH", "")


def cache_dir():
    """Where the course keeps what it can rebuild (self-study's answer keys):
    ``$COURSE_CACHE``, else ``$XDG_CACHE_HOME/regression-course``, else ``~/.cache/...``."""
    if os.environ.get("COURSE_CACHE"):
        return Path(os.environ["COURSE_CACHE"]).resolve()
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return (Path(base) / "regression-course").resolve()


NO_GRADEBOOK = "there is no gradebook yet: run `course autograde` first"
"""What the instructor's commands say when the course has not been graded yet."""
