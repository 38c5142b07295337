"""Extensions of a due date, kept in nbgrader's gradebook where its late-submission plugin reads
them: ``course extend ASSIGNMENT STUDENT --hours H``. (A due date itself is nbgrader's:
``nbgrader db assignment add ID --duedate=...``; the penalty is its ``LateSubmissionPlugin``.)"""

import datetime
from pathlib import Path

from nbgrader.api import Gradebook, MissingEntry


def extend(root, assignment_id, student, hours):
    """Give ``student`` ``hours`` more than ``assignment_id``'s due date (replacing an earlier
    extension); return the student's due date with it (UTC). ValueError when the assignment has
    no due date or ``hours`` is negative."""
    if hours < 0:
        raise ValueError(f"an extension cannot be negative ({hours:g} hours)")
    with Gradebook(f"sqlite:///{Path(root) / 'gradebook.db'}") as gb:
        try:
            due = gb.find_assignment(assignment_id).duedate
        except MissingEntry:
            due = None
        if due is None:
            raise ValueError(
                f"{assignment_id} has no due date: nbgrader db assignment add {assignment_id} "
                '--duedate="2026-12-24 23:59 UTC"'
            )
        gb.update_or_create_student(student)
        submission = gb.update_or_create_submission(assignment_id, student)
        submission.extension = datetime.timedelta(hours=hours)
        gb.db.commit()
        return submission.duedate
