"""One grading job: ``python -m course.grader.worker ROOT STUDENT ASSIGNMENT...``.

Grades one student's submissions, one assignment after another, with nbgrader's API in this
process, and prints two JSON lines per assignment: ``{"assignment", "started": true}`` as it
starts, and ``{"assignment", "status", "reason", "seconds"}`` when it is done, with status
``graded``, ``failed`` (with a one-line reason) or ``missing``.
:mod:`course.grader.classgrade` runs several of these at once and kills one that runs past its time.
"""

import json
import sys
import time
import warnings
from pathlib import Path

import nbformat
from sqlalchemy.exc import SAWarning

from course.grader import pipeline


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
        nbformat.validate(nbformat.read(expected, as_version=4))
    except Exception as error:  # any parse or schema error makes the file ungradable
        first = str(error).splitlines()[0] if str(error) else type(error).__name__
        return "failed", f"invalid notebook file: {first[:200]}"
    return None


def reason_of(result):
    """A one-line reason for nbgrader's failure to grade, from its captured log."""
    log = (result.get("log") or "") + (result.get("error") or "")
    if "DeadKernelError" in log or "Kernel died" in log or "kernel died" in log:
        return "the kernel died while running the notebook (a crash, or out of memory)"
    if "didn't respond" in log:
        return "the kernel did not start or stopped responding"
    lines = [line.strip() for line in log.splitlines() if line.strip()]
    errors = [line for line in lines if "Error" in line and "Please see" not in line]
    return (errors or lines or ["nbgrader failed"])[-1][:200]


def grade_student(root, student, assignment_ids, out=sys.stdout):
    """Grade ``student``'s submissions of ``assignment_ids``; print a JSON line for each."""
    api = pipeline.nbgrader_api(root)
    for assignment_id in assignment_ids:
        print(json.dumps({"assignment": assignment_id, "started": True}), file=out, flush=True)
        start = time.perf_counter()
        problem = check_submission(root, student, assignment_id)
        if problem is None:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", SAWarning)
                result = api.autograde(assignment_id, student, force=True, create=True)
            problem = None if result["success"] else ("failed", reason_of(result))
        status, reason = problem or ("graded", "")
        line = {
            "assignment": assignment_id,
            "status": status,
            "reason": reason,
            "seconds": round(time.perf_counter() - start, 3),
        }
        print(json.dumps(line), file=out, flush=True)


if __name__ == "__main__":
    grade_student(sys.argv[1], sys.argv[2], sys.argv[3:])
