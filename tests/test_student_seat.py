"""The student's seat: what a student sees when a visible test runs in their own kernel.

For each assignment, one plain kernel (as JupyterLab starts it, no nbgrader) runs the release
notebook with the right answers, then, for every wrong answer of the bank, that answer cell and
the exercise's visible test cells, as a student would after a mistake. Each visible test must
fail with a CheckError whose message holds the words the bank gives for that mistake (and no
other mistake's words); hidden-test cells say that they run at grading."""

import subprocess
import sys

import nbformat
import pytest
from bank import BANK, MESSAGES
from contract import CONTRACT, MANUAL
from helpers import ROOT, execute, fill, grade_id, message_problems, solutions

from course.checks import CheckError

NOTE = "Hidden tests: they run when your work is graded"


def visible_tests(source_nb, exercise):
    """The source test cells of ``exercise`` that have no hidden block, by grade_id."""
    return {
        grade_id(c)
        for c in source_nb.cells
        if (grade_id(c) or "").startswith(f"test_{exercise}")
        and c.cell_type == "code"
        and "BEGIN HIDDEN TESTS" not in c.source
    }


def run_in_a_plain_kernel(assignment_id, tmp_path):
    """Run the harness notebook of an assignment; return (notebook, {(exercise, label): [errors]},
    {(exercise, label): [test cell ids]})."""
    release = nbformat.read(ROOT / "release" / assignment_id / f"{assignment_id}.ipynb", 4)
    source = nbformat.read(ROOT / "source" / assignment_id / f"{assignment_id}.ipynb", 4)
    right = solutions(source)
    nb = fill(release, right)
    setup = len(nb.cells)
    tests = {c.metadata["nbgrader"]["grade_id"]: c for c in nb.cells if grade_id(c)}
    for exercise in CONTRACT[assignment_id]:
        if exercise in MANUAL:
            continue
        for label, code, correct in BANK[exercise]:
            if correct:
                continue
            mark = {"seat": [exercise, label]}
            nb.cells.append(nbformat.v4.new_code_cell(code, metadata=mark))
            for test in sorted(visible_tests(source, exercise)):
                cell = nbformat.v4.new_code_cell(tests[test].source, metadata=dict(mark, test=test))
                nb.cells.append(cell)
            nb.cells.append(nbformat.v4.new_code_cell(right[exercise]))
    execute(nb, tmp_path, MPLBACKEND="agg")  # figures drawn, not rendered: faster
    seen = {}
    for cell in nb.cells[setup:]:
        if "test" in cell.metadata:
            key = tuple(cell.metadata["seat"])
            errors = [o for o in cell.outputs if o.output_type == "error"]
            seen.setdefault(key, []).extend((o.ename, " ".join(o.evalue.split())) for o in errors)
    return nb.cells[:setup], seen


@pytest.mark.parametrize("assignment_id", list(CONTRACT))
def test_visible_tests_name_each_mistake_in_the_students_kernel(assignment_id, tmp_path):
    answered, seen = run_in_a_plain_kernel(assignment_id, tmp_path)
    # the notebook with right answers: no error anywhere; each hidden-test cell says what it is
    for cell in answered:
        errors = [o for o in cell.get("outputs", []) if o.output_type == "error"]
        assert not errors, (grade_id(cell), errors)
    source = nbformat.read(ROOT / "source" / assignment_id / f"{assignment_id}.ipynb", 4)
    hidden = {grade_id(c) for c in source.cells if "BEGIN HIDDEN TESTS" in c.source}
    for cell in answered:
        if grade_id(cell) in hidden:
            text = "".join(o.get("text", "") for o in cell.outputs)
            assert NOTE in text, grade_id(cell)
    # a passing test is silent: no output at all, but for the hidden-test cells' note
    for cell in answered:
        flags = cell.metadata.get("nbgrader", {})
        if cell.cell_type == "code" and flags.get("grade") and not flags.get("solution"):
            text = "".join(o.get("text", "") for o in cell.outputs if o.output_type == "stream")
            said = [line for line in text.splitlines() if line.strip() and NOTE not in line]
            other = [o for o in cell.outputs if o.output_type != "stream"]
            assert not said and not other, (grade_id(cell), said, other)
    failures = []
    for (exercise, label), errors in seen.items():
        words = MESSAGES[exercise, label]
        said = " ".join(message for _, message in errors)
        if not errors:
            failures.append(f"{exercise} '{label}': the visible tests pass it silently")
        elif any(name != CheckError.__name__ for name, _ in errors):
            failures.append(f"{exercise} '{label}': not a message for a student: {errors}")
        elif words not in said:
            failures.append(f"{exercise} '{label}': expected '{words}' in: {said}")
        others = [
            MESSAGES[exercise, other]
            for other, _, ok in BANK[exercise]
            if not ok and other != label and MESSAGES[exercise, other] != words
        ]
        failures += [
            f"{exercise} '{label}' says another mistake's '{w}'" for w in others if w in said
        ]
        failures += [
            f"{exercise} '{label}': {problem}: {message}"
            for _, message in errors
            for problem in message_problems(message)
        ]
    assert not failures, "\n".join(failures)


@pytest.mark.parametrize(("exercise", "label"), [("mse", "sum"), ("gd_step", "ascent")])
def test_nbgrader_validate_shows_the_words_that_name_the_mistake(exercise, label, tmp_path):
    """`nbgrader validate` cuts each line at 87 characters: a check's message fits in its lines."""
    assignment_id = next(a for a, names in CONTRACT.items() if exercise in names)
    release = nbformat.read(ROOT / "release" / assignment_id / f"{assignment_id}.ipynb", 4)
    source = nbformat.read(ROOT / "source" / assignment_id / f"{assignment_id}.ipynb", 4)
    answers = solutions(source)
    answers[exercise] = next(text for name, text, *_ in BANK[exercise] if name == label)
    nbformat.write(fill(release, answers), tmp_path / f"{assignment_id}.ipynb")
    result = subprocess.run(
        [sys.executable, "-m", "nbgrader", "validate", f"{assignment_id}.ipynb"],
        cwd=tmp_path, capture_output=True, text=True, timeout=300,
    )
    error = (result.stdout + result.stderr).split("The error was:")[-1].split("CheckError: ")[-1]
    lines = [line for line in error.splitlines() if line.strip()]
    assert MESSAGES[(exercise, label)] in " ".join(error.split()), error
    assert lines and not [line for line in lines if line.endswith("...")], error
