"""release/ is nbgrader's fresh output from source/, holds no solution or hidden test, and the
source notebooks keep the exercise contract (CONTRACT.md)."""

import ast
import re

import contract
import nbformat
import pytest
from contract import CONTRACT, MANUAL
from helpers import ROOT, grade_id, make_course, secret_lines

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


MARKER = re.compile(r"(begin|end)[\s_-]*(hidden|solution)", re.I)
"""Anything that looks like an nbgrader marker, in any spelling or case."""
CANONICAL = {
    "### BEGIN HIDDEN TESTS",
    "### END HIDDEN TESTS",
    "### BEGIN SOLUTION",
    "### END SOLUTION",
}


def without_hidden_tests(source):
    """A test cell's source as its release must read: the hidden block cut out."""
    return re.sub(r"### BEGIN HIDDEN TESTS\n.*?### END HIDDEN TESTS\n?", "", source, flags=re.S)


def leaks(source_nb, release_nb):
    """What of a source notebook's hidden tests or markers reached its release, as messages."""
    problems = []
    released = {grade_id(c): c for c in release_nb.cells if grade_id(c)}
    for cell in source_nb.cells:
        for line in cell.source.splitlines():
            if MARKER.search(line) and line.strip() not in CANONICAL:
                problems.append(f"{grade_id(cell)}: a marker nbgrader may not read: {line!r}")
        nbgrader = cell.metadata.get("nbgrader", {})
        if nbgrader.get("grade") and not nbgrader.get("solution") and cell.cell_type == "code":
            expected = without_hidden_tests(cell.source).rstrip()
            got = released.get(grade_id(cell))
            if got is None or got.source.rstrip() != expected:
                problems.append(f"{grade_id(cell)}: its release differs from the visible part")
    for cell in release_nb.cells:
        for line in cell.source.splitlines():
            if MARKER.search(line):
                problems.append(f"{grade_id(cell)}: a marker in the release: {line!r}")
    return problems


@pytest.mark.parametrize("assignment_id", ASSIGNMENTS)
def test_release_holds_no_solution_and_no_hidden_test(assignment_id):
    assert leaks(read("source", assignment_id), read("release", assignment_id)) == []
    released = {
        line.strip()
        for cell in read("release", assignment_id).cells
        for line in cell.source.splitlines()
    }
    secret = secret_lines(read("source", assignment_id))
    assert secret, "the source should have solutions and hidden tests"
    assert not secret & released


def test_a_misspelled_hidden_marker_is_caught(tmp_path):
    """The leak seen once: `### BEGIN HIDDEN TEST` (no S) shipped the hidden code to release/."""
    assignment_id = "03_mse_loss"
    source = read("source", assignment_id)
    cell = next(c for c in source.cells if "### BEGIN HIDDEN TESTS" in c.source)
    cell.source = cell.source.replace("### BEGIN HIDDEN TESTS", "### BEGIN HIDDEN TEST ")
    folder = tmp_path / "source" / assignment_id
    folder.mkdir(parents=True)
    nbformat.write(source, folder / f"{assignment_id}.ipynb")
    course = make_course(tmp_path / "course", [], sources=tmp_path / "source")
    from course.grader import pipeline

    pipeline.release(course, [assignment_id])
    released = nbformat.read(course / "release" / assignment_id / f"{assignment_id}.ipynb", 4)
    problems = leaks(source, released)
    assert any("marker nbgrader may not read" in p for p in problems), problems
    assert any("release differs" in p for p in problems), problems


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
    assert list(answers) == CONTRACT[assignment_id], "answer cells differ from CONTRACT.md"
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


def signature(source, name):
    """The parameters of function ``name`` defined in ``source``, as text (None if absent)."""
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.FunctionDef) and node.name == name:
            return ast.unparse(node.args)
    return None


@pytest.mark.parametrize("assignment_id", ASSIGNMENTS)
def test_release_stubs_have_the_contract_signatures(assignment_id):
    stubs = {grade_id(c): c.source for c in read("release", assignment_id).cells if grade_id(c)}
    functions = [e for e in contract.read()[assignment_id] if e.signature]
    assert functions, "every assignment has a function to write"
    for exercise in functions:
        wanted = signature(f"def {exercise.signature}: pass", exercise.name)
        assert signature(stubs[exercise.name], exercise.name) == wanted, exercise


@pytest.mark.parametrize("assignment_id", ASSIGNMENTS)
def test_each_exercise_has_a_heading_and_code_exercises_a_hint(assignment_id):
    cells = read("source", assignment_id).cells
    markdown = "\n".join(c.source for c in cells if c.cell_type == "markdown")
    exercises = CONTRACT[assignment_id]
    assert len(re.findall(r"^#+ Exercise \d+: ", markdown, re.M)) == len(exercises)
    assert "## Summary" in markdown and "By the end of this notebook" in markdown
    # each code exercise's own section (its heading to the next) holds a hint
    sections, current = {}, None
    for cell in cells:
        if cell.cell_type == "markdown" and re.search(r"^#+ Exercise \d+: ", cell.source, re.M):
            current = len(sections)
            sections[current] = ""
        if current is not None:
            sections[current] += cell.source
    for number, exercise in enumerate(exercises):
        if exercise not in MANUAL:
            hints = re.findall(r"<summary>([^<]*)</summary>", sections[number])
            assert len(hints) >= 2, f"{exercise}: hints in steps, a nudge then the method: {hints}"
            assert hints[:2] == ["Hint 1", "Hint 2"], f"{exercise}: {hints}"


KEEPS_NOTHING = {
    "matmul_shape": "takes two shape tuples, which cannot change",
    "numerical_gradient": "takes a loss function and numbers",
    "gd_step": "takes numbers",
    "train_test_split": "takes a number of samples",
}
"""Function exercises with no argument a function could change in place."""


@pytest.mark.parametrize("assignment_id", ASSIGNMENTS)
def test_every_function_exercise_checks_visibly_that_it_keeps_its_inputs(assignment_id):
    cells = read("release", assignment_id).cells
    for exercise in contract.read()[assignment_id]:
        if not exercise.signature or exercise.name in KEEPS_NOTHING:
            continue
        tests = f"test_{exercise.name}"
        visible = [c.source for c in cells if (grade_id(c) or "").startswith(tests)]
        assert any(f"check_inputs_kept({exercise.name}," in s for s in visible), exercise.name


def test_the_visible_test_of_a_by_hand_answer_does_not_print_it():
    """loss_by_hand's visible test names the usual slips by a fingerprint, not by their values
    (the sum of the squared errors, 0.19, gives the answer away)."""
    cells = read("release", "03_mse_loss").cells
    visible = "\n".join(c.source for c in cells if (grade_id(c) or "").startswith("test_loss_by"))
    assert "digest(answer)" in visible
    for printed in ("0.19", "0.0633", "0.063", "0.2517", "0.095"):
        assert printed not in visible, printed
