"""The instructor's pipeline, through nbgrader's own API: release notebooks from ``source/``,
write feedback reports."""

import logging
import secrets
from datetime import UTC, datetime
from pathlib import Path

import nbformat
from nbgrader.apps import NbGraderAPI
from nbgrader.coursedir import CourseDirectory
from traitlets.config.loader import PyFileConfigLoader

from course.grader import paths
from course.grader.answerkey import points_per_exercise


def nbgrader_api(root, on_cell_start=None):
    """An ``NbGraderAPI`` for the course at ``root``, configured by its ``nbgrader_config.py``;
    ``on_cell_start(cell=..., cell_index=...)`` is called as autograding starts each cell."""
    paths.put_interpreter_on_path()
    config = PyFileConfigLoader("nbgrader_config.py", path=str(root)).load_config()
    config.CourseDirectory.root = str(Path(root).resolve())
    if on_cell_start is not None:
        config.Execute.on_cell_start = on_cell_start
    api = NbGraderAPI(coursedir=CourseDirectory(config=config), config=config)
    api.log.setLevel(logging.WARNING)
    return api


def release(root, assignment_ids):
    """Regenerate ``release/<id>/`` from ``source/<id>/`` for each id; return the failures.

    The result maps each assignment that nbgrader could not generate to its error text.
    """
    api = nbgrader_api(root)
    return _failures(assignment_ids, lambda a: api.generate_assignment(a, force=True, create=True))


def feedback(root, assignment_ids, student_id=None):
    """Write nbgrader's HTML feedback, ``feedback/<student>/<id>/<id>.html``, for every graded
    submission of each assignment (or ``student_id``'s only); return the failures by id.

    Each folder is left ready for ``nbgrader release_feedback`` (:func:`exchange_ready`)."""
    api = nbgrader_api(root)
    failures = _failures(
        assignment_ids, lambda a: api.generate_feedback(a, student_id=student_id, force=True)
    )
    for assignment_id in assignment_ids:
        exchange_ready(root, assignment_id)
    return failures


def exchange_ready(root, assignment_id):
    """Give every feedback folder of ``assignment_id`` the two files ``nbgrader release_feedback``
    reads, where nbgrader left them out (a submission placed in ``submitted/`` by hand, not
    collected from the exchange): ``timestamp.txt`` (the submitted notebook's time) and
    ``submission_secret.txt`` (a new secret: no student holds it, so the released page reaches
    no one, and the release goes on for the others)."""
    for folder in sorted(Path(root, "feedback").glob(f"*/{assignment_id}")):
        submitted = Path(root, "submitted", folder.parent.name, assignment_id)
        stamp = folder / "timestamp.txt"
        if not stamp.is_file():
            notebooks = sorted(submitted.glob("*.ipynb")) or sorted(folder.glob("*.html"))
            when = datetime.fromtimestamp(notebooks[0].stat().st_mtime, UTC)
            stamp.write_text(when.strftime("%Y-%m-%d %H:%M:%S.%f %Z"))
        secret = folder / "submission_secret.txt"
        if not secret.is_file():
            secret.write_text(secrets.token_hex(32))


def _failures(assignment_ids, step):
    """Run nbgrader's ``step`` for each assignment; map the ones that failed to nbgrader's error."""
    failures = {}
    for assignment_id in assignment_ids:
        result = step(assignment_id)
        if not result["success"]:
            failures[assignment_id] = result.get("error") or result.get("log", "")
    return failures


def exercises(root, assignment_id):
    """The exercise names of an assignment: its answer cells' grade_ids, in notebook order."""
    path = Path(root) / "source" / assignment_id / f"{assignment_id}.ipynb"
    cells = nbformat.read(path, as_version=4).cells
    return [
        c.metadata.nbgrader["grade_id"]
        for c in cells
        if c.metadata.get("nbgrader", {}).get("solution")
    ]


def written_exercises(root, assignment_id):
    """The exercises of an assignment answered in words (markdown answer cells), graded by hand."""
    path = Path(root) / "source" / assignment_id / f"{assignment_id}.ipynb"
    return [
        c.metadata.nbgrader["grade_id"]
        for c in nbformat.read(path, as_version=4).cells
        if c.cell_type == "markdown" and c.metadata.get("nbgrader", {}).get("solution")
    ]


def points(notebook, names):
    """Points per exercise of a graded nbgrader ``SubmittedNotebook``: {name: (score, maximum)}
    for each exercise in ``names`` (:func:`course.grader.answerkey.points_per_exercise`)."""
    cells = {grade.name: (grade.score, grade.max_score) for grade in notebook.grades}
    return points_per_exercise(cells, names)


def hand_grading(notebook, names):
    """Where each written answer of a graded ``SubmittedNotebook`` stands: {exercise: state} for
    its exercises in ``names`` answered in words, the state ``graded`` (a grader gave points),
    ``pending`` (changed by the student, waiting for a grader) or ``blank`` (left as released:
    nbgrader gives it 0 by itself).

    A hand grade survives a regrade: nbgrader then flags the answer for review again
    (``needs_manual_grade``), but the grader's points stand and are what every export uses.
    """
    states = {}
    for grade in notebook.grades:
        if grade.cell.cell_type != "markdown" or grade.name not in names:
            continue
        if grade.manual_score is not None:
            states[grade.name] = "graded"
        elif grade.needs_manual_grade:
            states[grade.name] = "pending"
        else:
            states[grade.name] = "blank"
    return {name: states[name] for name in names if name in states}


def max_points(root, assignment_id):
    """The points ``assignment_id`` is worth: the sum of its graded cells' points in the source
    notebook (what nbgrader's gradebook will hold once it is released, graded or not)."""
    path = Path(root) / "source" / assignment_id / f"{assignment_id}.ipynb"
    return sum(
        float(c.metadata["nbgrader"].get("points", 0))
        for c in nbformat.read(path, as_version=4).cells
        if c.metadata.get("nbgrader", {}).get("grade")
    )
