"""A learner's progress: which exercises of each assignment the workspace has attempted, and the
last self-study grade of each (kept in the workspace by ``course grade``).

It reads notebooks as plain JSON (no nbgrader, not even nbformat, whose schema checks cost
0.2 s to import), so ``course progress`` answers at once.
"""

import datetime
import json
from pathlib import Path

from course.grader import paths

HISTORY = ".course-grades.json"
"""File in the workspace that keeps each assignment's last self-study grade."""


def history(workspace):
    """The workspace's grade history, {assignment: {score, maximum, when}} (empty if none)."""
    try:
        return json.loads((Path(workspace) / HISTORY).read_text())
    except (FileNotFoundError, json.JSONDecodeError):
        return {}


def own_notebook(workspace, assignment_id):
    """The workspace's own notebook of an assignment: ``<workspace>/<id>/<id>.ipynb``."""
    return Path(workspace) / assignment_id / f"{assignment_id}.ipynb"


def record(workspace, assignment_id, score, maximum, written=0.0):
    """Keep ``score``/``maximum`` (autograded points) as the assignment's last grade, and the
    ``written`` points that a person grades (not included in either)."""
    workspace = Path(workspace)
    grades = history(workspace)
    grades[assignment_id] = {
        "score": score,
        "maximum": maximum,
        "written": written,
        "when": datetime.datetime.now().isoformat(timespec="seconds"),
    }
    workspace.mkdir(parents=True, exist_ok=True)
    (workspace / HISTORY).write_text(json.dumps(grades, indent=1))


def _answers(notebook):
    """{answer grade_id: source} of the answer cells of a notebook file (JSON, nbformat 4)."""
    cells = json.loads(Path(notebook).read_text())["cells"]
    return {
        c["metadata"]["nbgrader"]["grade_id"]: "".join(c["source"])
        for c in cells
        if c.get("metadata", {}).get("nbgrader", {}).get("solution")
    }


def _attempted(notebook, stubs):
    """How many answer cells of ``notebook`` differ from their release stub (0 if unreadable)."""
    try:
        answers = _answers(notebook)
    except Exception:  # an unreadable notebook has no attempts to count
        return 0
    return sum(
        1
        for grade_id, source in answers.items()
        if grade_id in stubs and source.strip() != stubs[grade_id].strip()
    )


def rows(workspace=None):
    """One row per assignment: (id, exercises attempted or None when not started, exercises in
    all, last grade {score, maximum, when} or None)."""
    workspace = Path(workspace or paths.workspace_dir())
    grades = history(workspace)
    found = []
    for assignment_id in paths.assignments():
        stubs = _answers(paths.ROOT / "release" / assignment_id / f"{assignment_id}.ipynb")
        mine = own_notebook(workspace, assignment_id)
        attempted = _attempted(mine, stubs) if mine.is_file() else None
        found.append((assignment_id, attempted, len(stubs), grades.get(assignment_id)))
    return found
