"""The grading pipeline end to end: answers from the bank, in several correct forms, with
typical mistakes, and cheating, are put into release notebooks, graded by nbgrader with the
course's configuration, and their points read from the gradebook.

A correct answer earns all of its exercise's points; a wrong one loses some of them, and the
grade report names the mistake in the bank's words, in well-formed sentences; a cheat earns
nothing for its exercise; tests a student deleted or edited count as written; and the classmates
graded after a cheat are graded as usual."""

import nbformat
import pytest
from bank import BANK, CHEATS, MESSAGES
from contract import CONTRACT, MANUAL
from helpers import (
    failure_messages,
    fill,
    grade_id,
    message_problems,
    run_course,
    sandbox_off,
    scores,
    solutions,
    submit,
)
from nbgrader.api import Gradebook

from course.grader import answerkey, classreport


def plan(assignment_id):
    """{student: {exercise: (label, answer source, correct)}}. Student ``s<k>`` takes variant k
    of each exercise, or the first (correct, self-contained) one when there are fewer; student
    ``a_cheat_<k>`` hands in the assignment's k-th cheat, the other exercises right (one cheat a
    notebook, named to be graded before the others; like the others, they hand in several
    assignments, whose kernels are forked from their warm parent)."""
    exercises = [e for e in CONTRACT[assignment_id] if e not in MANUAL]
    count = max(len(BANK[e]) for e in exercises)
    students = {
        f"s{k}": {e: BANK[e][k if k < len(BANK[e]) else 0] for e in exercises} for k in range(count)
    }
    cheats = [(e, label, code) for e in exercises for label, code in CHEATS.get(e, [])]
    for k, (exercise, label, code) in enumerate(cheats):
        answers = {e: BANK[e][0] for e in exercises}
        answers[exercise] = (f"cheat: {label}", code, False)
        students[f"a_cheat_{k}"] = answers
    return students


def tampered(release, answers, how):
    """A release notebook with ``answers`` whose test cells are deleted or emptied."""
    nb = fill(release, answers)
    tests = [
        c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade") and c.cell_type == "code"
    ]
    if how == "deleted":
        nb.cells = [c for c in nb.cells if c not in tests]
    else:
        for cell in tests:
            cell.source = '"""Edited by the student."""\npass'
    return nb


def submit_bank(course):
    """Submit the whole bank to ``course`` (a class per assignment: the bank's students, the
    solution, a blank notebook, deleted and edited test cells); benchmarks/grading.py grades the
    same class with ``--bank``."""
    for assignment_id in CONTRACT:
        release = nbformat.read(course / "release" / assignment_id / f"{assignment_id}.ipynb", 4)
        source = nbformat.read(course / "source" / assignment_id / f"{assignment_id}.ipynb", 4)
        for student, answers in plan(assignment_id).items():
            filled = fill(release, {e: code for e, (_, code, _) in answers.items()})
            submit(course, student, assignment_id, filled)
        submit(course, "solution", assignment_id, fill(release, solutions(source)))
        submit(course, "blank", assignment_id, release)
        wrong = {
            e: next(code for _, code, ok in BANK[e] if not ok)
            for e in CONTRACT[assignment_id]
            if e not in MANUAL
        }
        for how in ("deleted", "edited"):
            submit(course, f"a_{how}_tests", assignment_id, tampered(release, wrong, how))


@pytest.fixture(scope="module")
def graded_bank(fresh_course):
    """The whole bank submitted to one course (:func:`submit_bank`) and graded by one
    ``course autograde`` run, two workers at once. Returns the course root."""
    submit_bank(fresh_course)
    result = run_course(
        "autograde",
        "--jobs",
        "2",
        "--cell-timeout",  # the slowest of the bank's cells take a second or two
        "7",
        COURSE_ROOT=fresh_course,
        **sandbox_off(),
    )
    assert result.returncode == 0, (result.stdout + result.stderr)[-3000:]
    return fresh_course


def test_every_wrong_answer_of_the_bank_has_its_words():
    wrong = {(e, label) for e, entries in BANK.items() for label, _, ok in entries if not ok}
    assert wrong == set(MESSAGES), wrong ^ set(MESSAGES)


@pytest.mark.parametrize("assignment_id", list(CONTRACT))
def test_bank_answers_earn_exactly_their_points(graded_bank, assignment_id):
    course = graded_bank
    exercises = CONTRACT[assignment_id]
    problems = []
    for student, answers in plan(assignment_id).items():
        points = scores(course, assignment_id, student, exercises)
        messages = failure_messages(course, assignment_id, student, exercises)
        for exercise, (label, _, correct) in answers.items():
            score, maximum = points[exercise]
            said = " ".join(messages.get(exercise, []))
            if correct and score != maximum:
                problems.append(
                    f"{exercise} '{label}' is right but earned {score}/{maximum}: {said}"
                )
            elif label.startswith("cheat") and score != 0:
                problems.append(f"{exercise} '{label}' earned {score}/{maximum}")
            elif not correct and score >= maximum:
                problems.append(f"{exercise} '{label}' is wrong but earned {score}/{maximum}")
            if not correct and not label.startswith("cheat"):
                if MESSAGES[exercise, label] not in said:
                    problems.append(
                        f"{exercise} '{label}': '{MESSAGES[exercise, label]}' not in {said}"
                    )
                problems += [
                    f"{exercise} '{label}': {problem}: {message}"
                    for message in messages.get(exercise, [])
                    for problem in message_problems(message)
                ]
    assert not problems, "\n".join(problems)
    full = scores(course, assignment_id, "solution", exercises)
    blank = scores(course, assignment_id, "blank", exercises)
    for exercise in exercises:
        if exercise in MANUAL:
            continue
        assert full[exercise][0] == full[exercise][1] > 0, exercise
        assert blank[exercise][0] == 0, exercise
        for how in ("deleted", "edited"):
            tampered_points = scores(course, assignment_id, f"a_{how}_tests", exercises)
            assert tampered_points[exercise][0] < tampered_points[exercise][1], (how, exercise)


@pytest.mark.parametrize("assignment_id", list(CONTRACT))
def test_the_answer_key_merges_and_scores_as_nbgrader(graded_bank, assignment_id):
    """What ``course grade`` does without nbgrader agrees with nbgrader on every notebook of the
    bank's class (right, wrong, blank, cheating, deleted and edited tests): the notebook it runs
    has the cells of nbgrader's autograded one, and the points it reads from a run notebook are
    the gradebook's, cell by cell."""
    key = answerkey.load(assignment_id)
    problems = []
    for folder in sorted((graded_bank / "submitted").iterdir()):
        name = f"{assignment_id}/{assignment_id}.ipynb"
        if not (folder / name).is_file():
            continue
        merged = answerkey.merge(nbformat.read(folder / name, 4), key)
        graded = nbformat.read(graded_bank / "autograded" / folder.name / name, 4)
        ours = [(c.cell_type, c.source, grade_id(c)) for c in merged.cells]
        theirs = [(c.cell_type, c.source, grade_id(c)) for c in graded.cells]
        if ours != theirs:
            problems.append(f"{folder.name}: the merged cells differ from nbgrader's")
        with Gradebook(f"sqlite:///{graded_bank / 'gradebook.db'}") as gb:
            notebook = gb.find_submission_notebook(assignment_id, assignment_id, folder.name)
            gradebook = {g.name: (g.auto_score, g.max_score) for g in notebook.grades}
        if answerkey.scores(graded) != gradebook:
            problems.append(f"{folder.name}: {answerkey.scores(graded)} != {gradebook}")
    assert not problems, "\n".join(problems)


COUNTED_AS = {
    ("predict", "X * w"): "elementwise",
    ("normal_equation", "inverse renamed"): "lstsq",
    ("gradient", "axis 1"): "not transposed",
}
"""Wrong answers whose mistake is another entry's: ``return X * w`` multiplies element by element
(where the shapes allow; elsewhere it crashes, which a test names too, less precisely), so the
report counts its student under "elementwise" only; an inverse imported under another name is,
like ``lstsq``, "not with np.linalg.solve"; a mean over axis=1 of X * (X w - y) is the value
X @ (X w - y), one number per sample, which one message names for both."""


@pytest.mark.parametrize("assignment_id", list(CONTRACT))
def test_the_class_report_counts_each_mistake_of_the_bank(graded_bank, assignment_id):
    """The bank's class as an instructor's report sees it: for every wrong answer, one group of
    the exercise's mistakes holds its words, with exactly the students who gave that answer
    (the students of deleted or edited tests gave the first wrong answer of each exercise; a
    cheat may make any mistake; other tests' students in the same course are left out)."""
    (found,) = classreport.collect(graded_bank, [assignment_id])
    built = plan(assignment_id)
    known = {s for s in built if not s.startswith("a_cheat")} | {
        "a_deleted_tests",
        "a_edited_tests",
    }
    problems = []
    for exercise in CONTRACT[assignment_id]:
        if exercise in MANUAL:
            continue
        groups = next(e for e in found.exercises if e.name == exercise).mistakes
        first_wrong = next(label for label, _, ok in BANK[exercise] if not ok)
        for label, _, ok in BANK[exercise]:
            if ok or (exercise, label) in COUNTED_AS:
                continue
            givers = {label} | {
                g for (e, g), to in COUNTED_AS.items() if (e, to) == (exercise, label)
            }
            students = {s for s, answers in built.items() if answers[exercise][0] in givers}
            if label == first_wrong:
                students |= {"a_deleted_tests", "a_edited_tests"}
            holding = [m for m in groups if MESSAGES[exercise, label] in m.text]
            if len(holding) != 1:
                problems.append(f"{exercise} '{label}': {len(holding)} groups hold its words")
            elif set(holding[0].students) & known != students:
                problems.append(
                    f"{exercise} '{label}': {sorted(holding[0].students)} != {sorted(students)}"
                )
    assert not problems, "\n".join(problems)
    assert "solution" in found.totals and "blank" in found.totals
