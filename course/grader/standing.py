"""Where each submission of a class stands, as every grade that leaves the course reports it.

One place answers, for a student and an assignment: was it graded, did grading fail (and why), is
it missing; its points per exercise; which written answers are graded by hand, still waiting for
a grader (pending) or left blank; when it was submitted, how late, and nbgrader's late penalty.
The exports (:mod:`.exports`, :mod:`.canvas`) and the class report (:mod:`.classreport`) read it.

The status of a notebook comes from ``grading-status.json`` (:class:`StatusBook`), which every
grading path keeps true: ``course autograde`` records each outcome, and the last step of the
course's autograding (:class:`course.grader.grading.RecordGraded`) records ``graded`` whatever
ran it (plain ``nbgrader autograde --student``, formgrader's button), so a failure fixed and
regraded never stays "failed"; the points come from the gradebook.
"""

import contextlib
import datetime
import fcntl
import json
import os
import tempfile
import threading
from dataclasses import asdict, dataclass, field
from pathlib import Path

from nbgrader.api import MissingEntry

from course.grader import pipeline

STATUS_FILE = "grading-status.json"


class StatusBook:
    """The per-notebook statuses, kept in ``grading-status.json``. Several processes write it
    (``course autograde`` and, through :class:`course.grader.grading.RecordGraded`, every
    nbgrader that grades with the course's configuration): each change is made under a lock on
    the file as it is then, and written whole (a temporary file, then a rename)."""

    def __init__(self, root):
        self.path = Path(root) / STATUS_FILE
        self.lock = threading.Lock()
        self.data = self._read()

    def _read(self):
        try:
            return json.loads(self.path.read_text())
        except (FileNotFoundError, json.JSONDecodeError):
            return {}

    def record(self, outcome):
        """Keep ``outcome`` (a :class:`course.grader.classgrade.Outcome`), with when it was
        recorded."""
        self.set(**asdict(outcome))

    def set(self, student, assignment, status, reason="", seconds=0.0):
        """Record the status of ``student``'s ``assignment``."""
        entry = {
            "student": student,
            "assignment": assignment,
            "status": status,
            "reason": reason,
            "seconds": seconds,
            "when": datetime.datetime.now().isoformat(timespec="seconds"),
        }
        with self._locked():
            self.data.setdefault(student, {})[assignment] = entry

    def forget(self, students):
        """Remove every status of ``students`` (ids)."""
        with self._locked():
            for student in students:
                self.data.pop(student, None)

    @contextlib.contextmanager
    def _locked(self):
        """Read the file under the lock, let the caller change ``data``, write it whole."""
        with self.lock, open(self.path.with_suffix(".lock"), "w") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            self.data = self._read()
            yield
            handle, temporary = tempfile.mkstemp(dir=self.path.parent, suffix=".tmp")
            with os.fdopen(handle, "w") as out:
                out.write(json.dumps(self.data, indent=1, sort_keys=True))
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
    recorded = book.get(student, assignment_id)
    if recorded is not None and recorded["status"] != "graded":
        return Standing(recorded["status"], recorded["reason"])
    try:
        notebook = gb.find_submission_notebook(assignment_id, assignment_id, student)
    except MissingEntry:
        if (Path(root) / "submitted" / student / assignment_id).is_dir():
            return Standing("missing", "not graded yet: run course autograde")
        return Standing("missing", "no submission")
    return _graded(notebook, names)


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
