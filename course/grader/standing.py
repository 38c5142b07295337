"""Where each submission of a class stands, as every grade that leaves the course reports it.

One place answers, for a student and an assignment: was it graded, did grading fail (and why), is
it missing; its points per exercise; which written answers are graded by hand, still waiting for
a grader (pending) or left blank; when it was submitted, how late, and nbgrader's late penalty.
The exports (:mod:`.exports`, :mod:`.canvas`) and the class report (:mod:`.classreport`) read it.

The status of a notebook comes from ``grading-status.json`` (written by ``course autograde``,
:class:`StatusBook`) *and* the gradebook: a notebook graded after its recorded failure (by a
later ``course autograde``, or by plain ``nbgrader autograde``) counts as graded, so the status
never goes stale whatever graded it.
"""

import datetime
import json
import os
import threading
from dataclasses import asdict, dataclass, field
from pathlib import Path

from nbgrader.api import MissingEntry

from course.grader import pipeline

STATUS_FILE = "grading-status.json"


class StatusBook:
    """The per-notebook statuses, kept in ``grading-status.json`` (one writer: this process)."""

    def __init__(self, root):
        self.path = Path(root) / STATUS_FILE
        self.lock = threading.Lock()
        try:
            self.data = json.loads(self.path.read_text())
        except (FileNotFoundError, json.JSONDecodeError):
            self.data = {}

    def record(self, outcome):
        """Keep ``outcome`` (a :class:`course.grader.classgrade.Outcome`) and write the file
        whole (a temporary file, then a rename). Each entry keeps when it was recorded."""
        with self.lock:
            now = datetime.datetime.now()
            entry = asdict(outcome) | {
                "when": now.isoformat(timespec="seconds"),
                "at": now.timestamp(),
            }
            self.data.setdefault(outcome.student, {})[outcome.assignment] = entry
            self._write()

    def forget(self, students):
        """Remove every status of ``students`` (ids) and write the file."""
        with self.lock:
            for student in students:
                self.data.pop(student, None)
            self._write()

    def _write(self):
        temporary = self.path.with_suffix(".tmp")
        temporary.write_text(json.dumps(self.data, indent=1, sort_keys=True))
        os.replace(temporary, self.path)

    def get(self, student, assignment_id):
        """The last recorded status of a submission, or None."""
        return self.data.get(student, {}).get(assignment_id)


def submissions(root, assignment_ids):
    """{student: [assignment ids they have a folder for]} from ``submitted/``, sorted."""
    folder = Path(root) / "submitted"
    found = {}
    for student in (
        sorted(p.name for p in folder.iterdir() if p.is_dir()) if folder.is_dir() else []
    ):
        mine = [a for a in assignment_ids if (folder / student / a).is_dir()]
        if mine:
            found[student] = mine
    return found


def class_students(root, gb, book, assignment_ids):
    """Every student the course knows, sorted: in the gradebook, in ``submitted/`` or in the
    grading status ``book``."""
    known = {s.id for s in gb.students} | set(book.data)
    return sorted(known | set(submissions(root, assignment_ids)))


@dataclass
class Standing:
    """One student's submission of one assignment, as the grades that leave the course show it.

    Points are in the assignment's points; times are UTC (nbgrader's); ``late_seconds`` is 0 for
    work on time or without a due date.
    """

    status: str
    """``graded``, ``pending`` (graded, a written answer still waiting for a grader), ``failed``
    or ``missing``."""
    reason: str = ""
    points: dict = field(default_factory=dict)
    """{exercise: (score, maximum)}; a pending written answer counts 0 here."""
    hand: dict = field(default_factory=dict)
    """{written exercise: ``graded``, ``pending`` or ``blank``}."""
    raw: float = 0.0
    """The points before the late penalty."""
    penalty: float = 0.0
    """nbgrader's late-submission penalty (``LateSubmissionPlugin``), in points."""
    submitted: datetime.datetime | None = None
    late_seconds: float = 0.0

    @property
    def total(self):
        """The points after the late penalty, exactly as ``nbgrader export`` computes its score:
        ``max(0, raw - penalty)``."""
        return max(0.0, self.raw - self.penalty)

    @property
    def maximum(self):
        """The points the assignment is worth."""
        return sum(most for _, most in self.points.values())

    @property
    def pending(self):
        """The written exercises still waiting for a grader, in notebook order."""
        return [name for name, state in self.hand.items() if state == "pending"]


def standing(gb, book, root, student, assignment_id, names):
    """Where ``student``'s submission of ``assignment_id`` stands (:class:`Standing`), from the
    grading status ``book`` and the gradebook ``gb``; ``names`` are the assignment's exercises."""
    root = Path(root)
    recorded = book.get(student, assignment_id)
    try:
        notebook = gb.find_submission_notebook(assignment_id, assignment_id, student)
    except MissingEntry:
        notebook = None
    if recorded is not None and recorded["status"] != "graded":
        if notebook is None or not _graded_since(root, student, assignment_id, recorded):
            return Standing(recorded["status"], recorded["reason"])
    if notebook is None:
        if (root / "submitted" / student / assignment_id).is_dir():
            return Standing("missing", "not graded yet: run course autograde")
        return Standing("missing", "no submission")
    return _graded(notebook, names)


def _graded_since(root, student, assignment_id, recorded):
    """True when the graded notebook in ``autograded/`` was written after the ``recorded``
    failure (a regrade that succeeded, by whatever ran it)."""
    path = root / "autograded" / student / assignment_id / f"{assignment_id}.ipynb"
    at = recorded.get("at")
    if at is None:  # an entry from before entries kept their time: read its ISO "when"
        at = datetime.datetime.fromisoformat(recorded["when"]).timestamp()
    try:
        return path.stat().st_mtime > at
    except OSError:
        return False


def _graded(notebook, names):
    """The standing of a graded ``SubmittedNotebook``."""
    hand = pipeline.hand_grading(notebook, names)
    submission = notebook.assignment
    result = Standing(
        "pending" if "pending" in hand.values() else "graded",
        points=pipeline.points(notebook, names),
        hand=hand,
        penalty=notebook.late_submission_penalty or 0.0,
        submitted=submission.timestamp,
        late_seconds=submission.total_seconds_late,
    )
    result.raw = sum(score for score, _ in result.points.values())
    if result.pending:
        waiting = sum(result.points[name][1] for name in result.pending)
        result.reason = (
            f"waiting for hand grading: {', '.join(result.pending)} ({waiting:g} points); "
            "the total leaves them out"
        )
    return result


def late_text(seconds):
    """How late, in words a person reads: "2 d 3 h", "3 h 5 min", "12 min", "" when on time."""
    if seconds <= 0:
        return ""
    minutes = int(seconds // 60) or 1
    days, minutes = divmod(minutes, 24 * 60)
    hours, minutes = divmod(minutes, 60)
    if days:
        return f"{days} d {hours} h"
    return f"{hours} h {minutes} min" if hours else f"{minutes} min"
