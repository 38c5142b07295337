"""The class's grades as CSV: one row per student and assignment (``course export``).

Each row says what its numbers are (see :mod:`course.grader.standing`): the points per exercise
(``pending`` for a written answer still waiting for a grader, never a silent 0), the points
before the late penalty, nbgrader's penalty and the total after it (exactly as ``nbgrader
export`` computes its score), the maximum, when the work was submitted and how late, and the
status: ``graded``, ``pending`` (the total leaves the waiting answers out), ``failed`` (with its
reason) or ``missing``.
"""

import contextlib
import csv
from pathlib import Path

from nbgrader.api import Gradebook

from course.grader.standing import StatusBook, class_students, late_text, standing

TAIL = [
    *("raw_total", "late_penalty", "total", "max_score"),
    *("submitted", "late_by", "status", "reason"),
]


def standings(root, assignment_ids, exercises):
    """[(student, assignment id, :class:`course.grader.standing.Standing`)] for every student
    the course knows and each of ``assignment_ids``; ``exercises`` maps each assignment to its
    exercise names."""
    root = Path(root)
    book = StatusBook(root)
    found = []
    with Gradebook(f"sqlite:///{root / 'gradebook.db'}") as gb:
        for student in class_students(root, gb, book, assignment_ids):
            for assignment_id in assignment_ids:
                state = standing(gb, book, root, student, assignment_id, exercises[assignment_id])
                found.append((student, assignment_id, state))
    return found


def export(root, assignment_ids, exercises, output):
    """Write the class's grades as CSV to ``output`` (a path or an open text file).

    ``exercises`` maps each assignment to its exercise names. Returns the standings written
    (see :func:`standings`).
    """
    found = standings(root, assignment_ids, exercises)
    columns = [e for a in assignment_ids for e in exercises[a]]
    with csv_output(output) as handle:
        writer = csv.DictWriter(handle, ["student", "assignment", *columns, *TAIL])
        writer.writeheader()
        writer.writerows(_row(student, a, state) for student, a, state in found)
    return found


def _row(student, assignment_id, state):
    """One CSV row of a student's standing on an assignment."""
    row = {
        "student": student,
        "assignment": assignment_id,
        "status": state.status,
        "reason": state.reason,
    }
    if state.status not in ("graded", "pending"):
        return row
    row.update({name: f"{score:g}" for name, (score, _) in state.points.items()})
    row.update(dict.fromkeys(state.pending, "pending"))
    row.update(
        raw_total=f"{state.raw:g}",
        late_penalty=f"{state.penalty:g}",
        total=f"{state.total:g}",
        max_score=f"{state.maximum:g}",
        submitted=state.submitted.isoformat(sep=" ", timespec="seconds") if state.submitted else "",
        late_by=late_text(state.late_seconds),
    )
    return row


def pending_warning(found):
    """One line for the instructor when hand grading is pending in the standings ``found``, with
    counts (None when nothing is waiting)."""
    waiting = [(s, a, state) for s, a, state in found if state.pending]
    if not waiting:
        return None
    answers = sum(len(state.pending) for _, _, state in waiting)
    ids = sorted({a for _, a, _ in waiting})
    verb = "waits" if answers == 1 else "wait"
    return (
        f"warning: {answers} written answer{'s' * (answers != 1)} in {len(waiting)} "
        f"submission{'s' * (len(waiting) != 1)} ({', '.join(ids)}) still {verb} for hand grading "
        f"(formgrader): {'that total is' if len(waiting) == 1 else 'those totals are'} incomplete"
    )


@contextlib.contextmanager
def csv_output(output):
    """A text handle to write CSV to ``output``: a path (opened, then closed) or an open file."""
    if isinstance(output, str | Path):
        with open(output, "w", newline="") as handle:
            yield handle
    else:
        yield output
