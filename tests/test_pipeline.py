"""The grading pipeline end to end: answers from the bank, in several correct forms and with
typical mistakes, are put into release notebooks, graded by nbgrader, and their points read
from the gradebook. A correct answer earns all of its exercise's points, a wrong one loses some
of them, and no exercise's points depend on another's answer."""

import re

import nbformat
import pytest
from bank import BANK, CONTRACT, MANUAL
from helpers import autograde, fill, grade_id, scores, submit

SOLUTION_MARKERS = re.compile(r"^\s*### (BEGIN|END) SOLUTION\n", re.M)


def students(assignment_id):
    """{student: {exercise: (answer source, correct)}}: student k takes variant k of each
    exercise, or the first (correct, self-contained) variant when the exercise has fewer."""
    exercises = [e for e in CONTRACT[assignment_id] if e not in MANUAL]
    count = max(len(BANK[e]) for e in exercises)
    return {
        f"s{k}": {e: BANK[e][k if k < len(BANK[e]) else 0][1:] for e in exercises}
        for k in range(count)
    }


@pytest.mark.parametrize("assignment_id", list(CONTRACT))
def test_bank_answers_earn_exactly_their_points(fresh_course, assignment_id):
    release = nbformat.read(fresh_course / "release" / assignment_id / f"{assignment_id}.ipynb", 4)
    source = nbformat.read(fresh_course / "source" / assignment_id / f"{assignment_id}.ipynb", 4)
    plan = students(assignment_id)
    for student, answers in plan.items():
        submit(
            fresh_course,
            student,
            assignment_id,
            fill(release, {e: code for e, (code, _) in answers.items()}),
        )
    solutions = {
        grade_id(c): SOLUTION_MARKERS.sub("", c.source) for c in source.cells if grade_id(c)
    }
    submit(fresh_course, "solution", assignment_id, fill(release, solutions))
    submit(fresh_course, "blank", assignment_id, release)

    result = autograde(fresh_course, assignment_id)
    assert result.returncode == 0, result.stderr[-3000:]

    exercises = CONTRACT[assignment_id]
    for student, answers in plan.items():
        points = scores(fresh_course, assignment_id, student, exercises)
        for exercise, (_, correct) in answers.items():
            score, maximum = points[exercise]
            label = [v[0] for v in BANK[exercise] if v[1] == answers[exercise][0]][0]
            if correct:
                assert score == maximum, (
                    f"{exercise} '{label}' is correct but earned {score}/{maximum}"
                )
            else:
                assert score < maximum, (
                    f"{exercise} '{label}' is wrong but earned {score}/{maximum}"
                )
    full = scores(fresh_course, assignment_id, "solution", exercises)
    blank = scores(fresh_course, assignment_id, "blank", exercises)
    for exercise in exercises:
        if exercise not in MANUAL:
            assert full[exercise][0] == full[exercise][1] > 0, exercise
            assert blank[exercise][0] == 0, exercise
