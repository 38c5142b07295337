"""Each source notebook passes its own tests top to bottom in a fresh kernel; each release
notebook, unanswered, fails every one of them with a message for the student."""

import time

import nbformat
import pytest
from helpers import ROOT, error_text, execute, grade_id

from course.grader import paths


@pytest.mark.parametrize("assignment_id", paths.assignments())
def test_source_notebook_runs_clean(assignment_id, tmp_path, record_property):
    nb = nbformat.read(ROOT / "source" / assignment_id / f"{assignment_id}.ipynb", as_version=4)
    start = time.perf_counter()
    execute(nb, tmp_path)
    record_property("notebook seconds", time.perf_counter() - start)
    errors = {cell.id: error_text(cell) for cell in nb.cells if error_text(cell)}
    assert errors == {}
    images = [
        o
        for c in nb.cells
        if c.cell_type == "code"
        for o in c.outputs
        if "image/png" in o.get("data", {})
    ]
    assert images, "every notebook shows at least one plot"


@pytest.mark.parametrize("assignment_id", paths.assignments())
def test_unanswered_release_notebook_fails_every_test(assignment_id, tmp_path):
    nb = nbformat.read(ROOT / "release" / assignment_id / f"{assignment_id}.ipynb", as_version=4)
    execute(nb, tmp_path, MPLBACKEND="agg")  # figures drawn, not rendered: only tests are read
    source = nbformat.read(ROOT / "source" / assignment_id / f"{assignment_id}.ipynb", as_version=4)
    hidden = {grade_id(c) for c in source.cells if "BEGIN HIDDEN TESTS" in c.source}
    tests = [
        c
        for c in nb.cells
        if c.cell_type == "code"
        and c.metadata.get("nbgrader", {}).get("grade")
        and grade_id(c) not in hidden
    ]
    assert tests
    for cell in tests:
        error = error_text(cell)
        assert error and error.startswith("CheckError"), (cell.metadata.nbgrader.grade_id, error)
        assert "NotImplementedError" in error or "not defined yet" in error, error


def test_a_test_run_before_its_answer_cell_says_what_to_do(tmp_path):
    nb = nbformat.v4.new_notebook(
        cells=[
            nbformat.v4.new_code_cell("import course.data"),
            nbformat.v4.new_code_cell("mse([3, 5, 8], [2.9, 5.3, 7.7])"),
        ]
    )
    nb.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3",
        "language": "python",
    }
    execute(nb, tmp_path)
    error = nb.cells[1].outputs[0]
    assert error.ename == "NameError"
    assert "`mse` is not defined yet. Run the cell that defines it first" in "\n".join(
        error.traceback
    )
