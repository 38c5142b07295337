"""Build a synthetic class from the bank, grade it, and check its class report (a tool to try
`course report` on a class of any size; the test suite does the same on smaller classes).

    python tests/make_class.py --students 40 --into /tmp/class40 03_mse_loss 06_many_features

Each student answers each exercise right (60 %) or with one of the bank's wrong answers, drawn
from a seeded generator; the script prints how many students were given each mistake, grades
the class with ``course autograde`` and prints, per mistake, the count the report found.
"""

import argparse
import random
import sys
from pathlib import Path

import nbformat
from bank import BANK, MESSAGES
from contract import CONTRACT, MANUAL
from helpers import fill, make_course, run_course, sandbox_off, solutions, submit

from course.grader import classreport


def build(root, assignment_ids, students, seed=0):
    """Write the class's submissions; return {(assignment, exercise, label): [students]}."""
    chance = random.Random(seed)
    given = {}
    for assignment_id in assignment_ids:
        release = nbformat.read(root / "release" / assignment_id / f"{assignment_id}.ipynb", 4)
        right = solutions(
            nbformat.read(root / "source" / assignment_id / f"{assignment_id}.ipynb", 4)
        )
        for k in range(students):
            student = f"student{k:03d}"
            answers = dict(right)
            for exercise in CONTRACT[assignment_id]:
                wrong = [(label, code) for label, code, ok in BANK.get(exercise, []) if not ok]
                if exercise in MANUAL or not wrong or chance.random() < 0.6:
                    continue
                label, code = chance.choice(wrong)
                answers[exercise] = code
                given.setdefault((assignment_id, exercise, label), []).append(student)
            submit(root, student, assignment_id, fill(release, answers))
    return given


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("assignments", nargs="+")
    parser.add_argument("--students", type=int, default=40)
    parser.add_argument("--into", type=Path, required=True, help="a new folder for the course")
    args = parser.parse_args()
    root = make_course(args.into, args.assignments)
    given = build(root, args.assignments, args.students)
    graded = run_course("autograde", "--jobs", "2", COURSE_ROOT=root, timeout=3600, **sandbox_off())
    print(graded.stdout[-1500:])
    report = run_course("report", "--output", root / "class-report.html", COURSE_ROOT=root)
    print(report.stdout)
    found = {a.id: a for a in classreport.collect(root, args.assignments)}
    mismatches = 0
    for (assignment_id, exercise, label), students in sorted(given.items()):
        groups = next(e for e in found[assignment_id].exercises if e.name == exercise).mistakes
        holding = [m for m in groups if MESSAGES[exercise, label] in m.text]
        counted = len(holding[0].students) if len(holding) == 1 else None
        mark = "ok" if counted == len(students) else "DIFFERS"
        mismatches += mark != "ok"
        print(f"{mark:8s}{exercise:18s}{label:22s}given {len(students):3d}  counted {counted}")
    return 1 if mismatches or graded.returncode else 0


if __name__ == "__main__":
    sys.exit(main())
