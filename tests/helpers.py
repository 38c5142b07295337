"""Shared helpers of the test suite: run notebooks, build courses and submissions, read grades."""

import atexit
import functools
import html
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient
from nbgrader.api import Gradebook

from course.grader import pipeline, sandbox
from course.grader.answerkey import exercise_of

ROOT = Path(__file__).resolve().parents[1]
HIDDEN = re.compile(r"### BEGIN HIDDEN TESTS\n(.*?)### END HIDDEN TESTS", re.S)
SOLUTION = re.compile(r"### BEGIN SOLUTION\n(.*?)### END SOLUTION", re.S)
SOLUTION_MARKERS = re.compile(r"^\s*### (BEGIN|END) SOLUTION\n?", re.M)
BIN = str(Path(sys.executable).parent)


def execute(nb, cwd, **env):
    """Run notebook ``nb`` (a NotebookNode, changed in place) top to bottom in a fresh kernel,
    with ``env`` added to the kernel's environment."""
    NotebookClient(
        nb,
        timeout=120,
        kernel_name="python3",
        allow_errors=True,
        resources={"metadata": {"path": str(cwd)}},
    ).execute(env={**os.environ, **env})
    return nb


def error_text(cell):
    """The error of a code cell's outputs as text (name: value), or None when it has none."""
    for output in cell.get("outputs", []):
        if output.output_type == "error":  # a message's lines joined (checks wrap them)
            return f"{output.ename}: {' '.join(output.evalue.split())}"
        if output.output_type == "stream" and output.name == "stderr":
            return f"stderr: {output.text}"
    return None


def grade_id(cell):
    """The nbgrader grade_id of a cell, or None."""
    return cell.metadata.get("nbgrader", {}).get("grade_id")


def make_course(target, assignment_ids, sources=ROOT / "source"):
    """Make a course at ``target`` from this repository's config and ``sources`` (its
    ``source/`` folder), and release ``assignment_ids``. From this repository's own sources,
    each set of assignments is released by nbgrader once per test process, then copied."""
    target = Path(target)
    key = tuple(assignment_ids)
    if Path(sources) == ROOT / "source" and key in _RELEASED:
        shutil.copytree(_RELEASED[key], target, dirs_exist_ok=True)
        return target
    target.mkdir(parents=True, exist_ok=True)
    shutil.copy(ROOT / "nbgrader_config.py", target)
    shutil.copytree(sources, target / "source")
    failures = pipeline.release(target, assignment_ids)
    assert not failures, failures
    if Path(sources) == ROOT / "source":
        _RELEASED[key] = shutil.copytree(target, _templates() / str(len(_RELEASED)))
    return target


_RELEASED = {}
"""{assignment ids: a pristine course with them released} made by :func:`make_course`."""


@functools.cache
def _templates():
    """A folder of this process's released courses, removed when it ends."""
    folder = Path(tempfile.mkdtemp(prefix="course-templates-"))
    atexit.register(shutil.rmtree, folder, True)
    return folder


def fill(release_nb, answers):
    """A copy of a release notebook whose answer cells hold ``answers`` (grade_id -> source)."""
    nb = nbformat.from_dict(release_nb)
    for cell in nb.cells:
        if grade_id(cell) in answers:
            cell.source = answers[grade_id(cell)]
    return nb


def submit(course, student, assignment_id, nb):
    """Place notebook ``nb`` as ``student``'s submission of ``assignment_id`` in ``course``."""
    path = Path(course) / "submitted" / student / assignment_id / f"{assignment_id}.ipynb"
    path.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, path)
    return path


def skip_or_fail(reason):
    """Skip the test with ``reason``; under CI (``CI`` set) fail instead: CI runs everything."""
    __tracebackhide__ = True
    if os.environ.get("CI"):
        pytest.fail(f"CI must run this test: {reason}")
    pytest.skip(reason)


def require_tool(command, package):
    """The path of the system tool ``command``, found on PATH; when it is missing, skip the
    test with a one-line reason naming the Debian ``package`` to install (fail under CI)."""
    __tracebackhide__ = True
    path = shutil.which(command)
    if path is None:
        skip_or_fail(f"{command} is not installed: apt-get install {package} (or make system)")
    return path


def require_sandbox():
    """Skip the test (fail under CI) when the grading sandbox cannot run here, saying why."""
    __tracebackhide__ = True
    why = sandbox.available()
    if why:
        skip_or_fail(f"the grading sandbox cannot run: {why}: apt-get install bubblewrap")


def sandbox_off():
    """The environment that grades without the sandbox where this machine cannot run it (the
    grading tests check scores; tests/test_sandbox.py checks the sandbox, and fails under CI
    where it is missing): ``{"COURSE_NO_SANDBOX": "1"}`` or nothing."""
    return {} if sandbox.available() is None else {sandbox.OFF_ENV: "1"}


def autograde(course, assignment_id, *options):
    """Run ``nbgrader autograde`` for an assignment in ``course`` (with extra command-line
    ``options``); return the finished process."""
    return nbgrader(course, "autograde", assignment_id, "--force", *options)


def nbgrader(course, *args):
    """Run ``nbgrader`` with ``args`` in ``course`` (the sandbox off where it cannot run here);
    return the finished process."""
    env = dict(os.environ, PATH=BIN + os.pathsep + os.environ.get("PATH", ""), **sandbox_off())
    return subprocess.run(
        [sys.executable, "-m", "nbgrader", *args],
        cwd=course,
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
    )


def scores(course, assignment_id, student, exercises):
    """Points per exercise of a graded submission, from the gradebook: {exercise: (score, max)}."""
    with Gradebook(f"sqlite:///{Path(course) / 'gradebook.db'}") as gb:
        notebook = gb.find_submission_notebook(assignment_id, assignment_id, student)
        return pipeline.points(notebook, exercises)


def cell_scores(course):
    """Every graded cell's points in a course's gradebook: {(student, assignment, grade cell):
    (score, maximum)}."""
    with Gradebook(f"sqlite:///{Path(course) / 'gradebook.db'}") as gb:
        return {
            (s.student.id, s.assignment.name, g.name): (g.score, g.max_score)
            for a in gb.assignments
            for s in a.submissions
            for n in s.notebooks
            for g in n.grades
        }


def failure_messages(course, assignment_id, student, exercises):
    """The failure messages of a graded submission's test cells: {exercise: [message, ...]}."""
    path = Path(course) / "autograded" / student / assignment_id / f"{assignment_id}.ipynb"
    messages = {}
    for cell in nbformat.read(path, as_version=4).cells:
        exercise = exercise_of(grade_id(cell) or "", exercises)
        if exercise and cell.cell_type == "code":
            messages.setdefault(exercise, []).extend(
                " ".join(o.evalue.split()) for o in cell.outputs if o.output_type == "error"
            )
    return messages


def secret_lines(source_nb, hidden_only=False):
    """The lines of a source notebook's hidden tests (and solutions, unless ``hidden_only``) that
    appear nowhere else in it, stripped, each with a letter or digit: none may reach a student."""
    secret, public = set(), set()
    for cell in source_nb.cells:
        blocks = HIDDEN.findall(cell.source) + (
            [] if hidden_only else SOLUTION.findall(cell.source)
        )
        for block in blocks:
            secret |= {line.strip() for line in block.splitlines() if re.search(r"\w", line)}
        shown = HIDDEN.sub("", cell.source)  # a learner's report shows their own answers
        if not hidden_only:
            shown = SOLUTION.sub("", shown)
        public |= {line.strip() for line in shown.splitlines()}
    return secret - public


def leaked(secret, text):
    """The lines of ``secret`` that stand, stripped, as a line of ``text``."""
    return sorted(secret & {line.strip() for line in text.splitlines()})


def feedback_cells(page):
    """The text a student reads in each cell of an nbgrader feedback page (HTML):
    {cell id (an nbgrader cell's grade_id): text}, tags and styles removed."""
    body = re.sub(r"<(style|script)[^>]*>.*?</\1>", "", page, flags=re.S)
    cells = {}
    for chunk in re.split(r'(?=<div class="cell )', body)[1:]:
        found = re.search(r'id="cell-id=([^"]+)"', chunk)
        if found:
            cells[found.group(1)] = html.unescape(re.sub(r"<[^>]+>", "", chunk))
    return cells


def solutions(source_nb):
    """The source notebook's answers, markers removed: {answer grade_id: source}."""
    return {
        grade_id(c): SOLUTION_MARKERS.sub("", c.source)
        for c in source_nb.cells
        if c.metadata.get("nbgrader", {}).get("solution")
    }


def run_course(*args, cwd=None, timeout=600, **env):
    """Run the ``course`` command with this interpreter, ``env`` added to the environment
    (e.g. ``COURSE_ROOT``, ``COURSE_WORKSPACE``); return the finished process."""
    environment = dict(os.environ, PATH=BIN + os.pathsep + os.environ.get("PATH", ""))
    environment.update({k: str(v) for k, v in env.items()})
    return subprocess.run(
        [sys.executable, "-m", "course", *args],
        capture_output=True,
        text=True,
        env=environment,
        cwd=cwd,
        timeout=timeout,
    )


def message_problems(message):
    """What is wrong with a failure message as a sentence for a student: a doubled full stop,
    two subjects run together, a shown value that equals the expected one, no final stop."""
    problems = []
    if re.search(r"(?<!\.)\.\.(?!\.)", message):
        problems.append("a doubled full stop")
    if re.search(r"(=|gave|returned)\s+returned", message):
        problems.append("two subjects run together")
    shown = re.search(r"\b(?:returned|is) (.+?)\. .*Expected (.+?)\.$", message)
    if shown and shown.group(1) == shown.group(2):
        problems.append("the value shown equals the expected one")
    if not message.rstrip().endswith((".", "?", ")")):
        problems.append("no final stop")
    return problems
