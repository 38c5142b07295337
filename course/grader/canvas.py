"""Grades out to Canvas: a CSV in the layout of Canvas's gradebook import.

Canvas reads the columns Student, ID, SIS User ID, SIS Login ID and Section, then one column per
assignment with its points; the second row, "Points Possible", gives each assignment's maximum,
from the course's own assignments (graded or not). A cell left empty changes nothing in Canvas,
so a submission that is missing or failed to grade is left empty (not 0), and so is one whose
written answers still wait for a grader, unless ``include_pending`` asks for its partial total.
Totals are after nbgrader's late penalty, as ``nbgrader export`` gives them. Students are named
"Last, First" when the gradebook knows their names; the ID column holds Canvas's user id when
the gradebook has it (``lms_user_id``).
"""

import csv
from pathlib import Path

from nbgrader.api import Gradebook

from course.grader import pipeline
from course.grader.exports import csv_output, standings

HEADER = ["Student", "ID", "SIS User ID", "SIS Login ID", "Section"]


def export(root, assignment_ids, exercises, output, include_pending=False):
    """Write the class's total points per assignment as Canvas's import CSV to ``output`` (a path
    or an open text file); ``exercises`` maps each assignment to its exercise names. Returns the
    standings (:func:`course.grader.exports.standings`)."""
    root = Path(root)
    found = standings(root, assignment_ids, exercises)
    with Gradebook(f"sqlite:///{root / 'gradebook.db'}") as gb:
        people = {s.id: (_name(s), s.lms_user_id or "") for s in gb.students}
    by_student = {}
    for student, assignment_id, state in found:
        by_student.setdefault(student, {})[assignment_id] = state
    with csv_output(output) as handle:
        writer = csv.writer(handle)
        writer.writerow(HEADER + list(assignment_ids))
        maxima = [pipeline.max_points(root, a) for a in assignment_ids]
        writer.writerow(["Points Possible", "", "", "", ""] + [f"{m:g}" for m in maxima])
        for student, states in by_student.items():
            name, lms = people.get(student, (student, ""))
            row = [name, lms, student, student, ""]
            for assignment_id in assignment_ids:
                row.append(_cell(states[assignment_id], include_pending))
            writer.writerow(row)
    return found


def _cell(state, include_pending):
    """An assignment's cell: its total after the late penalty, or empty."""
    if state.status == "graded" or (state.status == "pending" and include_pending):
        return f"{state.total:g}"
    return ""


def _name(person):
    """ "Last, First" when the gradebook has the names, else the student's id."""
    if person.last_name and person.first_name:
        return f"{person.last_name}, {person.first_name}"
    return person.id
