"""Grades out to Canvas: a CSV in the layout of Canvas's gradebook import.

Canvas reads the columns Student, ID, SIS User ID, SIS Login ID and Section, then one column per
assignment with its points; the second row, "Points Possible", gives each assignment's maximum.
A cell left empty changes nothing in Canvas, so a submission that is missing or failed to grade
is left empty (not 0). Students are named "Last, First" when the gradebook knows their names;
the ID column holds Canvas's user id when the gradebook has it (``lms_user_id``).
"""

import csv
from pathlib import Path

from nbgrader.api import Gradebook, MissingEntry

from course.grader.classgrade import StatusBook, class_students, csv_output, standing

HEADER = ["Student", "ID", "SIS User ID", "SIS Login ID", "Section"]


def export(root, assignment_ids, output):
    """Write the class's total points per assignment as Canvas's import CSV to ``output`` (a path
    or an open text file). Returns the number of student rows."""
    root = Path(root)
    book = StatusBook(root)
    rows = []
    with Gradebook(f"sqlite:///{root / 'gradebook.db'}") as gb:
        people = {s.id: s for s in gb.students}
        maxima = [_maximum(gb, a) for a in assignment_ids]
        for student in class_students(root, gb, book, assignment_ids):
            person = people.get(student)
            row = [_name(person, student), (person and person.lms_user_id) or "", student, student]
            row.append("")
            for assignment_id in assignment_ids:
                _, _, notebook = standing(gb, book, root, student, assignment_id)
                total = None if notebook is None else sum(g.score or 0.0 for g in notebook.grades)
                row.append("" if total is None else f"{total:g}")
            rows.append(row)
    with csv_output(output) as handle:
        writer = csv.writer(handle)
        writer.writerow(HEADER + list(assignment_ids))
        writer.writerow(["Points Possible", "", "", "", ""] + [f"{m:g}" for m in maxima])
        writer.writerows(rows)
    return len(rows)


def _name(person, student):
    """ "Last, First" when the gradebook has the names, else the student's id."""
    if person is not None and person.last_name and person.first_name:
        return f"{person.last_name}, {person.first_name}"
    return student


def _maximum(gb, assignment_id):
    """The points an assignment is worth, from the gradebook."""
    try:
        return gb.find_assignment(assignment_id).max_score
    except MissingEntry:
        return 0.0
