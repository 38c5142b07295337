"""Self-study: grade a learner's notebook with the hidden tests, and track progress.

A learner has no instructor and no gradebook. :func:`grade` builds a private temporary course
from ``source/``, grades a copy of the learner's notebook there with nbgrader (and the course's
trusted grading), and returns each exercise's points and messages; the learner's file, the
course's gradebook and ``release/`` are never touched. :func:`progress` reads the workspace.
"""

import datetime
import json
import shutil
import tempfile
import warnings
from dataclasses import dataclass, field
from pathlib import Path

import nbformat
from nbgrader.api import Gradebook
from sqlalchemy.exc import SAWarning

from course import paths, pipeline

LEARNER = "learner"
HISTORY = ".course-grades.json"
"""File in the workspace that keeps each assignment's last self-study grade."""


class CannotGrade(Exception):
    """The input cannot be graded (not a notebook, invalid, unknown assignment)."""


@dataclass
class Exercise:
    """One exercise's result: points earned, points possible, failure messages."""

    name: str
    score: float = 0.0
    maximum: float = 0.0
    manual: bool = False
    messages: list = field(default_factory=list)


@dataclass
class Report:
    """The result of grading one notebook."""

    assignment_id: str
    exercises: list
    feedback: Path

    @property
    def passed(self):
        """True when every autograded test passed."""
        return all(e.score == e.maximum for e in self.exercises if not e.manual)


def find_notebook(path):
    """The notebook to grade at ``path`` (a notebook, or an assignment folder holding one) and
    its assignment id. Raises :class:`CannotGrade` with a one-line reason."""
    path = Path(path).expanduser()
    known = paths.assignments()
    if path.is_dir():
        candidates = [path / f"{path.name}.ipynb"] + sorted(path.glob("*.ipynb"))
        path = next((p for p in candidates if p.is_file()), None)
        if path is None:
            raise CannotGrade(f"no notebook in the folder {path}")
    if not path.is_file():
        raise CannotGrade(f"{path}: no such file")
    if path.suffix != ".ipynb":
        raise CannotGrade(f"{path.name} is not a notebook (.ipynb)")
    for name in (path.stem, path.parent.name):
        if name in known:
            return path, name
    raise CannotGrade(
        f"{path.name}: unknown assignment; name the notebook or its folder after one of: "
        + ", ".join(known)
    )


def read_notebook(path):
    """Read ``path`` as a notebook, or raise :class:`CannotGrade` saying why it is not one."""
    try:
        nb = nbformat.read(path, as_version=4)
        nbformat.validate(nb)
    except Exception as error:  # any parse or schema error is reported in one line
        reason = str(error).splitlines()[0] if str(error) else type(error).__name__
        raise CannotGrade(f"{path.name} is not a valid notebook: {reason}") from None
    return nb


def grade(path, workspace=None):
    """Grade the notebook at ``path`` with the hidden tests; return a :class:`Report`.

    The HTML feedback is written beside the notebook as ``<id>_feedback.html``; the grade is
    recorded in the workspace's history for :func:`progress`.
    """
    notebook_path, assignment_id = find_notebook(path)
    read_notebook(notebook_path)
    with tempfile.TemporaryDirectory(prefix="course-grade-") as tmp, warnings.catch_warnings():
        warnings.simplefilter("ignore", SAWarning)  # nbgrader's session bookkeeping, harmless
        course = Path(tmp)
        shutil.copy(paths.ROOT / "nbgrader_config.py", course)
        shutil.copytree(paths.ROOT / "source" / assignment_id, course / "source" / assignment_id)
        failures = pipeline.release(course, [assignment_id])
        if failures:
            raise RuntimeError(failures[assignment_id])
        submitted = course / "submitted" / LEARNER / assignment_id / f"{assignment_id}.ipynb"
        submitted.parent.mkdir(parents=True)
        shutil.copy(notebook_path, submitted)
        api = pipeline.nbgrader_api(course)
        result = api.autograde(assignment_id, LEARNER)
        if not result["success"]:
            raise CannotGrade(
                f"nbgrader could not grade {notebook_path.name}: " + _last_error(result)
            )
        exercises = _results(course, assignment_id)
        pipeline.feedback(course, [assignment_id], LEARNER)
        report_path = notebook_path.parent / f"{assignment_id}_feedback.html"
        shutil.copy(
            course / "feedback" / LEARNER / assignment_id / f"{assignment_id}.html", report_path
        )
    report = Report(assignment_id, exercises, report_path)
    _record(Path(workspace or paths.workspace_dir()), report)
    return report


def _last_error(result):
    """The last line of nbgrader's error log, for a one-line reason."""
    lines = [line for line in (result.get("log") or "").splitlines() if line.strip()]
    return lines[-1].strip() if lines else "unknown error"


def _results(course, assignment_id):
    """Each exercise's points and messages, from the private gradebook and graded notebook."""
    graded = nbformat.read(
        course / "autograded" / LEARNER / assignment_id / f"{assignment_id}.ipynb", as_version=4
    )
    answers = {
        c.metadata.nbgrader["grade_id"]: c.cell_type == "markdown"
        for c in graded.cells
        if c.metadata.get("nbgrader", {}).get("solution")
    }
    messages = {name: [] for name in answers}
    for cell in graded.cells:
        grade_id = cell.metadata.get("nbgrader", {}).get("grade_id", "")
        exercise = pipeline.exercise_of(grade_id, answers)
        if exercise and cell.cell_type == "code":
            messages[exercise] += [o.evalue for o in cell.outputs if o.output_type == "error"]
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gb:
        notebook = gb.find_submission_notebook(assignment_id, assignment_id, LEARNER)
        points = pipeline.points(notebook, list(answers))
    return [
        Exercise(name, *points[name], manual, messages[name]) for name, manual in answers.items()
    ]


def _record(workspace, report):
    """Keep the report's totals as the assignment's last grade in the workspace's history."""
    history = _history(workspace)
    auto = [e for e in report.exercises if not e.manual]
    history[report.assignment_id] = {
        "score": sum(e.score for e in auto),
        "maximum": sum(e.maximum for e in auto),
        "when": datetime.datetime.now().isoformat(timespec="seconds"),
    }
    workspace.mkdir(parents=True, exist_ok=True)
    (workspace / HISTORY).write_text(json.dumps(history, indent=1))


def _history(workspace):
    """The workspace's grade history, {assignment: {score, maximum, when}} (empty if none)."""
    try:
        return json.loads((Path(workspace) / HISTORY).read_text())
    except (FileNotFoundError, json.JSONDecodeError):
        return {}


def progress(workspace=None):
    """One row per assignment: (id, exercises attempted, exercises in all, last grade or None).

    An exercise counts as attempted when its answer cell differs from the release stub.
    """
    workspace = Path(workspace or paths.workspace_dir())
    history = _history(workspace)
    rows = []
    for assignment_id in paths.assignments():
        release = nbformat.read(
            paths.ROOT / "release" / assignment_id / f"{assignment_id}.ipynb", as_version=4
        )
        stubs = {
            c.metadata.nbgrader["grade_id"]: c.source
            for c in release.cells
            if c.metadata.get("nbgrader", {}).get("solution")
        }
        mine = workspace / assignment_id / f"{assignment_id}.ipynb"
        attempted = 0
        if mine.is_file():
            try:
                cells = nbformat.read(mine, as_version=4).cells
            except Exception:  # an unreadable notebook has no attempts to count
                cells = []
            attempted = sum(
                1
                for c in cells
                if c.metadata.get("nbgrader", {}).get("grade_id") in stubs
                and c.source.strip() != stubs[c.metadata.nbgrader["grade_id"]].strip()
            )
        rows.append(
            (
                assignment_id,
                attempted if mine.is_file() else None,
                len(stubs),
                history.get(assignment_id),
            )
        )
    return rows
