"""Rebuild the demo class in submitted/ (python tests/make_demo.py); ``course autograde`` grades it.

Three demo students per assignment (:data:`course.grader.democlass.STUDENTS`): ``demo_complete``
(the source solutions, written answers included), ``demo_partial`` (the first wrong answer of the
bank for every other exercise) and ``demo_blank`` (the release notebook, unanswered). Their
graded copies in autograded/ are not committed: grading writes them.
"""

import sys

import nbformat
from bank import BANK
from contract import CONTRACT, MANUAL
from helpers import ROOT, fill, solutions, submit

from course.grader import pipeline
from course.grader.democlass import STUDENTS


def main():
    """Write the demo submissions; return the exit code."""
    ids = list(CONTRACT)
    pipeline.release(ROOT, ids)
    for assignment_id in ids:
        release = nbformat.read(ROOT / "release" / assignment_id / f"{assignment_id}.ipynb", 4)
        source = nbformat.read(ROOT / "source" / assignment_id / f"{assignment_id}.ipynb", 4)
        answers = solutions(source)
        coded = [e for e in CONTRACT[assignment_id] if e not in MANUAL]
        wrong = {e: next(code for _, code, ok in BANK[e] if not ok) for e in coded[::2]}
        complete, partial, blank = STUDENTS
        submit(ROOT, complete, assignment_id, fill(release, answers))
        submit(ROOT, partial, assignment_id, fill(release, {**answers, **wrong}))
        submit(ROOT, blank, assignment_id, release)
        print(f"{assignment_id}: {', '.join(STUDENTS)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
