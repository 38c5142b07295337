"""The exercise contract, read from the project's own CONTRACT.md: per assignment, each exercise's
answer grade_id, whether it is written (graded by hand) and its signature when it is a function."""

import re
from dataclasses import dataclass

from helpers import ROOT

from course.grader import paths

ROW = re.compile(r"^\| (\d\d) \| `(\w+)` \| (.*) \|$", re.M)


@dataclass(frozen=True)
class Exercise:
    """One row of the contract."""

    name: str
    manual: bool
    signature: str | None  # e.g. "mse(y, y_hat)"; None for a variable or a written answer


def read():
    """{assignment id: [Exercise, ...]} for every notebook the contract lists (ids for notebooks
    the course has; the number alone, e.g. "06", for those it has not yet)."""
    ids = {a[:2]: a for a in paths.assignments()}
    contract = {}
    for number, name, text in ROW.findall((ROOT / "CONTRACT.md").read_text()):
        call = re.match(rf"`({name}\([^`]*\))`", text)
        exercise = Exercise(name, text.startswith("markdown"), call.group(1) if call else None)
        contract.setdefault(ids.get(number, number), []).append(exercise)
    return contract


_ROWS = read()
CONTRACT = {a: [e.name for e in _ROWS[a]] for a in paths.assignments() if a in _ROWS}
"""{assignment id: [exercise names, in order]} for the assignments the course has."""
MANUAL = {e.name for exercises in _ROWS.values() for e in exercises if e.manual}
"""Exercises graded by hand (markdown answers)."""
