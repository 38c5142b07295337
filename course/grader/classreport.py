"""What the class got wrong: the numbers of the class report.

Read from the gradebook (points per exercise, hand grading), the grading status (failed and
missing submissions, see :mod:`course.grader.classgrade`) and the graded notebooks, whose failed
test cells keep the mistake their check named (:data:`course.grader.trusted.MISTAKE_KEY`).
Mistakes are grouped by what they name, not by the numbers in them, and counted once per
student. :mod:`course.grader.reportpage` draws the result.
"""

import json
import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from course.grader import answerkey, paths, pipeline
from course.grader.exports import standings
from course.grader.trusted import MISTAKE_KEY

_SPANS = re.compile(r"\([^()]*\)|\[[^\[\]]*\]|'[^']*'|\"[^\"]*\"|`[^`]*`")


def mistake_key(text):
    """The words that name a mistake: the first sentence of ``text`` up to its colon (what went
    wrong, not what to do about it), without what it says in parentheses, brackets or quotes.
    "The step used eta = 0.01 (not the one given): use eta." and "The step used eta = 0.01."
    name one mistake."""
    first = re.split(r"(?<=[.?!])\s", _SPANS.sub(" ", text).strip(), maxsplit=1)[0]
    head, colon, _ = first.partition(": ")
    if colon and len(head.split()) >= 3:
        first = head
    return " ".join(first.split()).rstrip(".:,; ")


@dataclass
class Mistake:
    """One mistake named by failed tests, and the students who made it."""

    key: str
    text: str
    students: list
    named: bool = True
    """False for what a check could only call off (a wrong value no test foresaw, a crash)."""


@dataclass
class Exercise:
    """The class's results on one exercise of an assignment."""

    name: str
    written: bool
    maximum: float
    scores: dict = field(default_factory=dict)
    """{student: points} for the graded students (written answers: those graded by hand)."""
    pending: int = 0
    """Written answers still waiting for a grader."""
    blank: int = 0
    """Written answers left blank (0 points without a grader)."""
    mistakes: list = field(default_factory=list)

    @property
    def lost_points(self):
        """How many students scored below the maximum."""
        return sum(score < self.maximum for score in self.scores.values())

    @property
    def mean(self):
        """Mean points of the graded students, or None."""
        return sum(self.scores.values()) / len(self.scores) if self.scores else None


@dataclass
class Assignment:
    """The class's results on one assignment."""

    id: str
    maximum: float
    totals: dict = field(default_factory=dict)
    """{student: total points} for the graded students (before any late penalty: the report is
    about what they got right)."""
    failed: dict = field(default_factory=dict)
    """{student: why grading failed}."""
    missing: list = field(default_factory=list)
    exercises: list = field(default_factory=list)

    def ranked(self):
        """The autograded exercises, the one most students lost points on first."""
        coded = [e for e in self.exercises if not e.written]
        return sorted(coded, key=lambda e: (-e.lost_points, self.exercises.index(e)))

    def failure_reasons(self):
        """[(reason, number of students)], most frequent first."""
        return Counter(self.failed.values()).most_common()


class NothingGraded(Exception):
    """The gradebook holds no graded submission of the assignments asked for."""


def collect(root, assignment_ids):
    """The class's results per assignment, from the course at ``root``.

    Raises :class:`NothingGraded` when there is no gradebook or nothing in it is graded.
    """
    root = Path(root)
    if not (root / "gradebook.db").is_file():
        raise NothingGraded(paths.NO_GRADEBOOK)
    names = {a: pipeline.exercises(root, a) for a in assignment_ids}
    found = standings(root, assignment_ids, names)
    results = [
        _assignment(root, a, names[a], [(s, state) for s, b, state in found if b == a])
        for a in assignment_ids
    ]
    if not any(a.totals for a in results):
        raise NothingGraded(
            "no submission of " + ", ".join(assignment_ids) + " is graded yet: "
            "run `course autograde` first"
        )
    return results


def _assignment(root, assignment_id, names, states):
    """One assignment's results from its ``states``, [(student, Standing)]."""
    written = set(pipeline.written_exercises(root, assignment_id))
    result = Assignment(assignment_id, 0.0)
    exercises = {n: Exercise(n, n in written, 0.0) for n in names}
    result.exercises = list(exercises.values())
    for student, state in states:
        if state.status == "failed":
            result.failed[student] = state.reason or "grading failed"
        elif state.status == "missing":
            result.missing.append(student)
        else:
            _add_grades(exercises, state, student)
            result.totals[student] = state.raw
            _add_mistakes(exercises, names, root, student, assignment_id)
    result.maximum = sum(e.maximum for e in result.exercises)
    for exercise in result.exercises:  # named mistakes first, most frequent first
        exercise.mistakes.sort(key=lambda m: (not m.named, -len(m.students), m.key))
    return result


def _add_grades(exercises, state, student):
    """Add one student's points per exercise from their :class:`Standing`. A written answer
    counts once graded by hand (also after a regrade); until then it is waiting, or left blank
    (nbgrader gives an unchanged answer 0 by itself)."""
    for name, exercise in exercises.items():
        score, exercise.maximum = state.points[name]
        hand = state.hand.get(name)
        if exercise.written and hand == "pending":
            exercise.pending += 1
        elif exercise.written and hand != "graded":
            exercise.blank += 1
        else:
            exercise.scores[student] = score


def _add_mistakes(exercises, names, root, student, assignment_id):
    """Add the mistakes the failed test cells of one graded notebook named, once per student and
    exercise; what a check could only call off (a wrong value no test foresaw, a crash) counts
    only where no test named the student's mistake."""
    path = Path(root) / "autograded" / student / assignment_id / f"{assignment_id}.ipynb"
    try:
        cells = json.loads(path.read_text())["cells"]
    except (OSError, ValueError, KeyError):
        return
    found = {}
    for cell in cells:
        grade_id = cell.get("metadata", {}).get("nbgrader", {}).get("grade_id")
        kept = cell.get("metadata", {}).get(MISTAKE_KEY, {})
        text = kept.get("mistake")
        name = answerkey.exercise_of(grade_id, names) if grade_id and text else None
        if name is not None:
            found.setdefault(name, {}).setdefault(mistake_key(text), (text, kept.get("named")))
    for name, mistakes in found.items():
        if any(named for _, named in mistakes.values()):
            mistakes = {key: seen for key, seen in mistakes.items() if seen[1]}
        for key, (text, named) in mistakes.items():
            group = next((m for m in exercises[name].mistakes if m.key == key), None)
            if group is None:
                group = Mistake(key, text, [], bool(named))
                exercises[name].mistakes.append(group)
            group.students.append(student)
