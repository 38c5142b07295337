"""Rebuild the demo class: submitted/ and its grades in autograded/ (python tests/make_demo.py).

Three demo students per assignment: ``demo_complete`` (the source solutions, written answers
included), ``demo_partial`` (the first wrong answer of the bank for every other exercise) and
``demo_blank`` (the release notebook, unanswered). Grading uses the course's own gradebook.
"""

import sys

import nbformat
from bank import BANK
from contract import CONTRACT, MANUAL
from helpers import ROOT, autograde, fill, solutions, submit

from course.grader import pipeline


def main():
    """Write the demo submissions and autograde them; return the exit code."""
    ids = list(CONTRACT)
    pipeline.release(ROOT, ids)
    for assignment_id in ids:
        release = nbformat.read(ROOT / "release" / assignment_id / f"{assignment_id}.ipynb", 4)
        source = nbformat.read(ROOT / "source" / assignment_id / f"{assignment_id}.ipynb", 4)
        answers = solutions(source)
        coded = [e for e in CONTRACT[assignment_id] if e not in MANUAL]
        wrong = {e: next(code for _, code, ok in BANK[e] if not ok) for e in coded[::2]}
        submit(ROOT, "demo_complete", assignment_id, fill(release, answers))
        submit(ROOT, "demo_partial", assignment_id, fill(release, {**answers, **wrong}))
        submit(ROOT, "demo_blank", assignment_id, release)
        result = autograde(ROOT, assignment_id)
        print(f"{assignment_id}: autograde exit {result.returncode}")
        if result.returncode:
            print(result.stderr[-2000:], file=sys.stderr)
            return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
