"""release/ is nbgrader's fresh output from source/, holds no solution or hidden test, and the
source notebooks keep the exercise contract."""

import re

import nbformat
import pytest
from bank import CONTRACT, MANUAL
from helpers import ROOT, grade_id, secret_lines

from course.grader import paths

ASSIGNMENTS = paths.assignments()


def read(kind, assignment_id):
    return nbformat.read(ROOT / kind / assignment_id / f"{assignment_id}.ipynb", as_version=4)


def test_the_course_has_the_five_assignments():
    assert ASSIGNMENTS == list(CONTRACT)


@pytest.mark.parametrize("assignment_id", ASSIGNMENTS)
def test_release_equals_a_fresh_generation(fresh_course, assignment_id):
    committed = sorted(
        p.relative_to(ROOT / "release") for p in (ROOT / "release" / assignment_id).rglob("*")
    )
    fresh = sorted(
        p.relative_to(fresh_course / "release")
        for p in (fresh_course / "release" / assignment_id).rglob("*")
    )
    assert committed == fresh
    for relative in committed:
        if (ROOT / "release" / relative).is_file():
            assert (ROOT / "release" / relative).read_bytes() == (
                fresh_course / "release" / relative
            ).read_bytes(), (
                f"release/{relative} is stale: run `course release` and commit the result"
            )


@pytest.mark.parametrize("assignment_id", ASSIGNMENTS)
def test_release_holds_no_solution_and_no_hidden_test(assignment_id):
    text = (ROOT / "release" / assignment_id / f"{assignment_id}.ipynb").read_text()
    assert "BEGIN SOLUTION" not in text and "BEGIN HIDDEN TESTS" not in text
    released = {
        line.strip()
        for cell in read("release", assignment_id).cells
        for line in cell.source.splitlines()
    }
    secret = secret_lines(read("source", assignment_id))
    assert secret, "the source should have solutions and hidden tests"
    assert not secret & released


@pytest.mark.parametrize("assignment_id", ASSIGNMENTS)
def test_source_notebooks_are_committed_without_outputs(assignment_id):
    for cell in read("source", assignment_id).cells:
        if cell.cell_type == "code":
            assert cell.outputs == [] and cell.execution_count is None, cell.id


@pytest.mark.parametrize("assignment_id", ASSIGNMENTS)
def test_source_keeps_the_exercise_contract(assignment_id):
    cells = read("source", assignment_id).cells
    answers = {grade_id(c): c for c in cells if c.metadata.get("nbgrader", {}).get("solution")}
    tests = [
        c
        for c in cells
        if c.metadata.get("nbgrader", {}).get("grade")
        and c.metadata["nbgrader"].get("solution") is False
    ]
    for exercise in CONTRACT[assignment_id]:
        assert exercise in answers, f"no answer cell with grade_id {exercise}"
        if exercise in MANUAL:
            assert answers[exercise].cell_type == "markdown"
            assert answers[exercise].metadata.nbgrader["grade"] is True
            continue
        own = [c for c in tests if grade_id(c).startswith(f"test_{exercise}")]
        visible = [c for c in own if "BEGIN HIDDEN TESTS" not in c.source]
        hidden = [c for c in own if "BEGIN HIDDEN TESTS" in c.source]
        assert visible and hidden, f"{exercise}: needs a visible and a hidden test cell"
    for cell in tests:
        assert grade_id(cell).startswith("test_"), grade_id(cell)
        first = cell.source.splitlines()[0]
        assert first.startswith('"""') and first.endswith('"""') and len(first) > 10, grade_id(cell)


@pytest.mark.parametrize("assignment_id", ASSIGNMENTS)
def test_each_exercise_has_a_heading_and_code_exercises_a_hint(assignment_id):
    markdown = "\n".join(
        c.source for c in read("source", assignment_id).cells if c.cell_type == "markdown"
    )
    exercises = CONTRACT[assignment_id]
    assert len(re.findall(r"^#+ Exercise \d+: ", markdown, re.M)) == len(exercises)
    assert markdown.count("<details>") >= len([e for e in exercises if e not in MANUAL])
    assert "## Summary" in markdown and "By the end of this notebook" in markdown
