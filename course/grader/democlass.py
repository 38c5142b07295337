"""The demo class a clone of the course ships in ``submitted/``, and removing it to start a real
class: ``course remove-demo`` takes its students out of the gradebook and the grading status, and
deletes their folders in ``submitted/``, ``autograded/`` and ``feedback/``. Nobody else's work is
touched."""

import shutil
from pathlib import Path

from course.grader.standing import StatusBook

STUDENTS = ("demo_complete", "demo_partial", "demo_blank")
"""The demo students: the source solutions, a typical mistake in every other exercise, and the
release notebooks unanswered."""


def remove(root):
    """Remove the demo class from the course at ``root``; return what was removed, as lines."""
    root = Path(root)
    removed = []
    gradebook = root / "gradebook.db"
    if gradebook.is_file():
        from nbgrader.api import Gradebook, MissingEntry

        with Gradebook(f"sqlite:///{gradebook}") as gb:
            for student in STUDENTS:
                try:
                    gb.remove_student(student)
                except MissingEntry:
                    continue
                removed.append(f"gradebook: {student}")
    book = StatusBook(root)
    present = [s for s in STUDENTS if s in book.data]
    if present:
        book.forget(present)
        removed.extend(f"grading status: {s}" for s in present)
    for folder in ("submitted", "autograded", "feedback"):
        for student in STUDENTS:
            path = root / folder / student
            if path.is_dir():
                shutil.rmtree(path)
                removed.append(f"{folder}/{student}/")
    return removed
