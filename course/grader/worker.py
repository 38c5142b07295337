"""A grading worker: ``python -m course.grader.worker ROOT``.

Reads jobs from standard input, one JSON line ``[student, assignment, ahead]`` each (``ahead``:
the student's notebooks this worker is to grade, this one first), and grades them one after
another with one nbgrader application (imported and configured once per worker, not once per
notebook). The kernels of a student with more than one notebook ahead are forked from a warm
parent in that student's sandbox (:mod:`course.grader.warmstart`), which imports what those
notebooks import once. For each job it
prints JSON lines: ``{"assignment", "started": true}`` as it starts, ``{"cell": index, "label":
grade_id}`` as each cell starts to run, and ``{"assignment", "status", "reason", "seconds"}``
when done, with status ``graded``, ``failed`` (with a one-line reason) or ``missing``.
:mod:`course.grader.classgrade` runs several of these at once and kills one whose notebook runs
past its time.
"""

import json
import os
import signal
import sys
import time
import warnings
from pathlib import Path

import nbformat
from sqlalchemy.exc import SAWarning

from course.grader import pipeline, processes, warmstart


def check_submission(root, student, assignment_id):
    """Why a submission cannot be graded, as (status, reason), or None when it can."""
    folder = Path(root) / "submitted" / student / assignment_id
    expected = folder / f"{assignment_id}.ipynb"
    if not expected.is_file():
        others = sorted(p.name for p in folder.glob("*.ipynb")) if folder.is_dir() else []
        if others:
            return (
                "failed",
                f"misnamed notebook: found {', '.join(others)}, expected {expected.name}",
            )
        return "missing", "no notebook submitted"
    try:
        data = json.loads(expected.read_bytes())
    except (ValueError, UnicodeDecodeError) as error:
        where = f" (line {error.lineno}, column {error.colno})" if hasattr(error, "lineno") else ""
        return "failed", f"invalid notebook file: not valid JSON{where}"
    try:
        nbformat.validate(nbformat.reads(json.dumps(data), as_version=4))
    except Exception as error:  # any schema error makes the file ungradable
        first = str(error).splitlines()[0] if str(error) else type(error).__name__
        return "failed", f"invalid notebook file: {first[:200]}"
    return None


def reason_of(result, cell=None):
    """A one-line reason for nbgrader's failure to grade, from its captured log; ``cell``, the
    ``[index, grade_id]`` of the last cell that started (or empty), names where it stopped."""
    log = (result.get("log") or "") + (result.get("error") or "")
    if "DeadKernelError" in log or "Kernel died" in log or "kernel died" in log:
        return "the kernel died while running the notebook (a crash, or out of memory)"
    if "didn't respond" in log:
        return "the kernel did not start or stopped responding"
    if "CellTimeoutError" in log:  # nbclient gave up on a cell its interrupt did not stop
        index, label = cell or (None, None)
        where = "a cell" if index is None else f"cell {index + 1}"
        where += f" ({label})" if label else ""
        limit = os.environ.get("COURSE_CELL_TIMEOUT", "30")
        return (
            f"timed out: {where} was still running after it was interrupted at the cell limit "
            f"of {limit} s, so the notebook was stopped there (a loop that ignores interrupts?)"
        )
    lines = [line.strip() for line in log.splitlines() if line.strip()]
    errors = [line for line in lines if "Error" in line and "Please see" not in line]
    return (errors or lines or ["nbgrader failed"])[-1][:200]


def grade(api, root, student, assignment_id, cell=None):
    """Grade one submission with nbgrader's ``api``; return (status, reason). ``cell``: a list
    the caller keeps as :func:`reason_of` takes it, of the last cell that started."""
    problem = check_submission(root, student, assignment_id)
    if problem is None:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", SAWarning)
            result = api.autograde(assignment_id, student, force=True, create=True)
        problem = None if result["success"] else ("failed", reason_of(result, cell))
    return problem or ("graded", "")


def serve(root, jobs=sys.stdin, out=sys.stdout):
    """Grade each ``[student, assignment, ahead]`` line of ``jobs``; print two JSON lines for
    each."""
    # the grading process died (processes.die_with_parent): take the kernels down too
    signal.signal(signal.SIGTERM, lambda *_: processes.kill_tree(os.getpid()))

    last = []  # the cell that started last: (index, grade_id)

    def cell_started(cell, cell_index, **_):
        label = cell.metadata.get("nbgrader", {}).get("grade_id")
        last[:] = [cell_index, label]
        print(json.dumps({"cell": cell_index, "label": label}), file=out, flush=True)

    api = pipeline.nbgrader_api(root, on_cell_start=cell_started)
    warm = warmstart.WarmKernels(root)
    try:
        for line in jobs:
            student, assignment_id, ahead = json.loads(line)
            print(json.dumps({"assignment": assignment_id, "started": True}), file=out, flush=True)
            start = time.perf_counter()
            warm.use(student, ahead)
            last.clear()
            status, reason = grade(api, root, student, assignment_id, last)
            done = {"assignment": assignment_id, "status": status, "reason": reason}
            print(
                json.dumps(done | {"seconds": round(time.perf_counter() - start, 3)}),
                file=out,
                flush=True,
            )
    finally:
        warm.stop()


if __name__ == "__main__":
    serve(sys.argv[1])
