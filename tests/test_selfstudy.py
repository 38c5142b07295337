"""Self-study: course grade, course progress and nbgrader's validate on a learner's workspace."""

import hashlib
import json
import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path

import nbformat
import pytest
from bank import BANK
from helpers import (
    BIN,
    ROOT,
    feedback_cells,
    fill,
    leaked,
    run_course,
    secret_lines,
    skip_or_fail,
    solutions,
)

from course.grader import mathjax


def course(*args, workspace, cwd=None):
    return run_course(*args, cwd=cwd, timeout=300, COURSE_WORKSPACE=workspace)


def table_rows(output):
    """{exercise: [its points, then the words of its row]} of ``course grade``'s table, over
    the lines a long message wraps to."""
    rows, current = {}, None
    for line in output.splitlines():
        if line.startswith("│"):
            name, *rest = (part.strip() for part in line.split("│")[1:-1])
            current = name or current
            rows.setdefault(current, []).extend(rest)
    return rows


def kernel_folders():
    """The folders of course grade's kernels that exist now (each holds its sockets and log)."""
    return set(Path(tempfile.gettempdir()).glob("course-grade-*"))


def kernels():
    """The processes running from such a folder now: {(pid, command line)}."""
    found = set()
    for proc in Path("/proc").glob("[0-9]*"):
        try:
            line = (proc / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            continue
        if "course-grade-" in line and "ipykernel" in line:
            found.add((proc.name, line))
    return found


def digest(path):
    return hashlib.sha256(path.read_bytes()).hexdigest()


def source_05():
    return nbformat.read(ROOT / "source" / "05_training_loop" / "05_training_loop.ipynb", 4)


@pytest.fixture(scope="module")
def workspace(tmp_path_factory):
    """A learner's workspace: 03 answered with a summed mse, 05 solved, the rest untouched."""
    folder = tmp_path_factory.mktemp("workspace")
    assert course("start", workspace=folder).returncode == 0
    nb_03 = folder / "03_mse_loss" / "03_mse_loss.ipynb"
    sums = next(code for label, code, _ in BANK["mse"] if label == "sum")
    nbformat.write(
        fill(nbformat.read(nb_03, 4), {"mse": sums, "loss_by_hand": "loss_by_hand = 0.0633"}), nb_03
    )
    nb_05 = folder / "05_training_loop" / "05_training_loop.ipynb"
    source = nbformat.read(ROOT / "source" / "05_training_loop" / "05_training_loop.ipynb", 4)
    nbformat.write(fill(nbformat.read(nb_05, 4), solutions(source)), nb_05)
    return folder


def test_grade_a_solved_notebook(workspace):
    notebook = workspace / "05_training_loop" / "05_training_loop.ipynb"
    before = digest(notebook)
    gradebook = ROOT / "gradebook.db"
    gradebook_before = gradebook.stat().st_mtime if gradebook.exists() else None
    release_before = digest(ROOT / "release" / "05_training_loop" / "05_training_loop.ipynb")

    result = course("grade", str(notebook), workspace=workspace)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "9/9" in result.stdout and "written answer" in result.stdout
    assert digest(notebook) == before
    assert (gradebook.stat().st_mtime if gradebook.exists() else None) == gradebook_before
    assert (
        digest(ROOT / "release" / "05_training_loop" / "05_training_loop.ipynb") == release_before
    )
    report = workspace / "05_training_loop" / "05_training_loop_feedback.html"
    assert report.is_file() and str(report) in result.stdout
    page = report.read_text()
    assert "Score: 9 / 9 autograded" in page  # the terminal's total, written answers apart
    assert re.search(r'name="convergence"></a>.{0,300}graded by a person: 4 points', page, re.S)
    assert "written answers, graded by a person: 4 more points" in result.stdout
    assert "not graded here" in " ".join(table_rows(result.stdout)["convergence"])
    assert "Score: 0.0 / 4.0" not in page
    cells = feedback_cells(page)
    tests = [c for c in cells if c.startswith("test_")]
    assert tests and all(cells[c].rstrip().endswith("passed") for c in tests), tests
    text = "\n".join(cells.values())
    hidden = secret_lines(source_05(), hidden_only=True)
    assert hidden and leaked(hidden, text) == []
    if not mathjax.LOCAL.is_file():
        skip_or_fail("no local MathJax for the report: apt-get install libjs-mathjax")
    assert "cdnjs" not in page and mathjax.LOCAL.as_uri() in page


@pytest.fixture(scope="module")
def graded_03(workspace):
    """The learner's 03 graded once: (the finished process, the notebook's digest before)."""
    notebook = workspace / "03_mse_loss" / "03_mse_loss.ipynb"
    before = digest(notebook)
    return course("grade", str(notebook.parent), workspace=workspace), before


def test_grade_names_the_mistake_and_exits_1(workspace, graded_03):
    result, before = graded_03
    assert result.returncode == 1, result.stdout + result.stderr
    said = " ".join(" ".join(table_rows(result.stdout)["mse"]).split())
    assert "sum of the squared errors" in said, said
    progress = result.stderr.splitlines()  # which exercise is being checked, nothing else
    assert progress == ["checking loss_by_hand ...", "checking mse ..."], result.stderr
    page = (workspace / "03_mse_loss" / "03_mse_loss_feedback.html").read_text()
    assert "Score: 3 / 8 autograded" in page
    row = re.search(r'<tr><td><a href="#mse">mse</a></td>(.*?)</tr>', page, re.S).group(1)
    assert "0 / 5" in row and "sum of the squared errors" in row
    cells = feedback_cells(page)
    failed = [c for c in cells if c.startswith("test_mse") and "Score: 0 /" in cells[c]]
    assert failed and all("CheckError: mse" in cells[c] for c in failed)  # each its message
    assert "sum of the squared errors" in cells["test_mse_example"]
    source = nbformat.read(ROOT / "source" / "03_mse_loss" / "03_mse_loss.ipynb", 4)
    hidden = secret_lines(source, hidden_only=True)
    assert hidden and leaked(hidden, "\n".join(cells.values())) == []
    assert digest(workspace / "03_mse_loss" / "03_mse_loss.ipynb") == before
    history = json.loads((workspace / ".course-grades.json").read_text())
    assert history["03_mse_loss"]["score"] == 3.0 and history["03_mse_loss"]["maximum"] == 8.0


def test_progress_counts_attempts_and_shows_the_last_grade(workspace, graded_03):
    result = course("progress", workspace=workspace)
    assert result.returncode == 0
    rows = {line.split("│")[1].strip(): line for line in result.stdout.splitlines() if "│" in line}
    assert "2/2" in rows["03_mse_loss"] and "3/8" in rows["03_mse_loss"]
    assert "0/4" in rows["01_matrix_multiplication"] and "–" in rows["01_matrix_multiplication"]


@pytest.mark.parametrize(
    "name, content, reason",
    [
        ("03_mse_loss.ipynb", "{not json", "is not a valid notebook"),
        ("notes.txt", "hello", "is not a notebook"),
        ("mystery.ipynb", None, "unknown assignment"),
        ("missing.ipynb", "", "no such file"),
    ],
)
def test_grade_refuses_what_it_cannot_grade(tmp_path, name, content, reason):
    path = tmp_path / name
    if content is None:
        nbformat.write(nbformat.v4.new_notebook(), path)
    elif content:
        path.write_text(content)
    result = course("grade", str(path), workspace=tmp_path)
    assert result.returncode == 2
    assert reason in result.stderr and "Traceback" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_validate_button_runs_the_visible_tests(workspace):
    env = dict(os.environ, PATH=BIN + os.pathsep + os.environ["PATH"])
    solved = subprocess.run(
        [sys.executable, "-m", "nbgrader", "validate", "05_training_loop/05_training_loop.ipynb"],
        cwd=workspace,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert "Success! Your notebook passes all the tests." in solved.stdout, (
        solved.stdout + solved.stderr
    )
    blank = subprocess.run(
        [
            sys.executable,
            "-m",
            "nbgrader",
            "validate",
            "01_matrix_multiplication/01_matrix_multiplication.ipynb",
        ],
        cwd=workspace,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert "failed" in blank.stdout.lower() and "NotImplementedError" in blank.stdout


def test_grading_a_copy_elsewhere_leaves_the_workspace_grade(workspace, graded_03, tmp_path):
    history = workspace / ".course-grades.json"
    before = history.read_text()
    source = nbformat.read(ROOT / "source" / "03_mse_loss" / "03_mse_loss.ipynb", 4)
    release = nbformat.read(ROOT / "release" / "03_mse_loss" / "03_mse_loss.ipynb", 4)
    copy = tmp_path / "03_mse_loss" / "03_mse_loss.ipynb"
    copy.parent.mkdir()
    nbformat.write(fill(release, solutions(source)), copy)
    result = course("grade", str(copy), workspace=workspace)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "8/8" in result.stdout
    assert history.read_text() == before  # the workspace's own 03 still shows its 3/8


STUCK = {
    "loops": ("while True:\n    pass", 1, "did not finish in time"),
    "exits": ("import os\nos._exit(3)", 2, "the kernel stopped while running it"),
}


@pytest.mark.parametrize("how", list(STUCK))
def test_grade_survives_a_notebook_that_loops_or_exits(tmp_path, how):
    """An answer cell that never ends costs that exercise its points, and the rest is graded;
    one that ends its kernel gets a one-line reason. Either way the notebook is left as it was."""
    code, status, words = STUCK[how]
    release = nbformat.read(ROOT / "release" / "02_prediction" / "02_prediction.ipynb", 4)
    source = nbformat.read(ROOT / "source" / "02_prediction" / "02_prediction.ipynb", 4)
    answers = solutions(source)
    first = next(iter(answers))
    answers[first] = code + "\n" + answers[first]
    notebook = tmp_path / "02_prediction" / "02_prediction.ipynb"
    notebook.parent.mkdir()
    nbformat.write(fill(release, answers), notebook)
    before, folders, running = digest(notebook), kernel_folders(), kernels()
    result = run_course(
        "grade", str(notebook), timeout=120, COURSE_WORKSPACE=tmp_path, COURSE_CELL_TIMEOUT=5
    )
    assert result.returncode == status, result.stdout + result.stderr
    assert digest(notebook) == before
    assert kernel_folders() == folders, "the kernel's folder was left behind"
    assert kernels() - running == set(), "the kernel was left running"
    said = [line for line in result.stderr.splitlines() if not line.startswith("checking ")]
    if status == 2:
        assert len(said) == 1 and words in said[0], result.stderr
        return
    assert len(said) == 1 and "was stopped (an endless loop?)" in said[0], result.stderr
    rows = table_rows(result.stdout)
    assert rows[first][0].startswith("0/") and words in " ".join(rows[first]), rows
    others = [rows[e][0].split("/") for e in rows if e not in (first, "exercise")]
    assert others and all(score == maximum for score, maximum in others), rows
