"""An assignment's answer key, and what nbgrader's autograde does around running a notebook.

nbgrader grades a notebook by what its gradebook holds: the source of every locked and graded
cell (hidden tests included), each graded cell's points, and checksums. :func:`load` builds
that once for each version of an assignment with nbgrader itself (a release into a private
course, then its gradebook read) and caches it as JSON, so that grading a learner's notebook
needs neither nbgrader, nor a database, nor the 2 s of importing them. :func:`merge` does what
nbgrader's autograde does before running a notebook (ClearOutput, DeduplicateIds and
OverwriteCells with missing cells added back) and :func:`scores` what it does after (the points
of SaveAutoGrades); the tests check both against nbgrader's own results on the test bank.
"""

import hashlib
import json
import os
import shutil
import tempfile
from pathlib import Path

from course.grader import paths

MISSING_CELL = (
    "This cell (id:{name}) was missing from the submission. It was added back by nbgrader.\n\n"
)
"""What nbgrader writes at the top of a graded cell it adds back (its default wording)."""

TEXT_STUB = "YOUR ANSWER HERE"
"""What a written answer holds as released (``ClearSolutions.text_stub`` of nbgrader_config.py)."""


def exercise_of(grade_id, exercises):
    """The exercise a grade cell belongs to: its own name (an answer cell), or the longest
    exercise name in ``exercises`` that its ``test_<exercise>`` grade_id starts with."""
    if grade_id in exercises:
        return grade_id
    matches = [e for e in exercises if grade_id.startswith(f"test_{e}")]
    return max(matches, key=len) if matches else None


def points_per_exercise(cell_points, exercises):
    """{exercise: (score, maximum)} for each name in ``exercises``, summing the points of its
    answer cell and its ``test_<exercise>`` cells from ``cell_points``, {grade_id: (score or
    None, maximum)} (a score of None, a written answer nobody graded yet, counts 0)."""
    totals = dict.fromkeys(exercises, (0.0, 0.0))
    for grade_id, (score, maximum) in cell_points.items():
        exercise = exercise_of(grade_id, exercises)
        if exercise:
            total, most = totals[exercise]
            totals[exercise] = (total + (score or 0.0), most + maximum)
    return totals


def load(assignment_id):
    """The answer key of ``assignment_id``: ``{"cells": [...]}``, one entry per locked or graded
    cell of the source notebook, in its order, with ``name``, ``cell_type``, ``source``,
    ``locked``, ``checksum``, ``solution`` and ``points`` (None for a cell that is not graded).

    It is built with nbgrader once for each version of the assignment's source folder, the
    course's ``nbgrader_config.py`` and nbgrader (a hash of them names it), then read from the
    cache; older versions of the same assignment's key are removed when a new one is built.
    """
    import importlib.metadata

    digest = hashlib.sha256(importlib.metadata.version("nbgrader").encode())
    config = paths.ROOT / "nbgrader_config.py"
    source = paths.ROOT / "source" / assignment_id
    for file in [config, *sorted(p for p in source.rglob("*") if p.is_file())]:
        digest.update(str(file.relative_to(paths.ROOT)).encode() + b"\0" + file.read_bytes())
    cache = paths.cache_dir()
    path = cache / f"{assignment_id}-{digest.hexdigest()[:16]}.json"
    if path.is_file():
        return json.loads(path.read_text())
    key = _build(assignment_id, config, source)
    cache.mkdir(parents=True, exist_ok=True)
    for old in cache.glob(f"{assignment_id}-*"):
        if old.is_dir():
            shutil.rmtree(old, ignore_errors=True)  # a whole course, as earlier versions kept
        else:
            old.unlink(missing_ok=True)
    partial = path.with_name(f".{path.name}.{os.getpid()}")
    partial.write_text(json.dumps(key))
    partial.replace(path)  # whole or not at all, even with two grades at once
    return key


def _build(assignment_id, config, source):
    """Release ``assignment_id`` with nbgrader into a private course; read its gradebook."""
    from nbgrader.api import Gradebook

    from course.grader import pipeline, sandbox

    with tempfile.TemporaryDirectory(prefix="course-key-") as tmp, sandbox.off():
        course = Path(tmp)
        shutil.copy(config, course)
        shutil.copytree(source, course / "source" / assignment_id)
        failures = pipeline.release(course, [assignment_id])
        if failures:
            raise RuntimeError(failures[assignment_id])
        with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gb:
            notebook = gb.find_notebook(assignment_id, assignment_id)
            points = {cell.name: cell.max_score for cell in notebook.grade_cells}
            solutions = {cell.name for cell in notebook.solution_cells}
            cells = [
                {
                    "name": cell.name,
                    "cell_type": cell.cell_type,
                    "source": cell.source,
                    "locked": cell.locked,
                    "checksum": cell.checksum,
                    "solution": cell.name in solutions,
                    "points": points.get(cell.name),
                }
                for cell in notebook.source_cells
            ]
    return {"assignment": assignment_id, "cells": cells}


def checksum(cell):
    """nbgrader's checksum of a cell: an md5 of its source, type, flags, grade_id and points."""
    flags = cell.metadata.nbgrader
    digest = hashlib.md5()  # noqa: S324  (nbgrader's choice; a fingerprint, not a secret)
    for part in (
        cell.source,
        cell.cell_type,
        str(bool(flags.get("grade"))),
        str(bool(flags.get("solution"))),
        str(bool(flags.get("locked"))),
        flags["grade_id"],
    ):
        digest.update(part.encode())
    if flags.get("grade"):
        digest.update(str(float(flags["points"])).encode())
    return digest.hexdigest()


def merge(nb, key):
    """The notebook ``nb`` (changed in place and returned) as nbgrader's autograde runs it:
    outputs cleared; a grade_id used twice kept on its last cell only; every locked or graded
    cell given its type, lock, points and checksum from the key, a locked cell its source; a
    graded cell the student deleted added back after the cell before it in the key, commented
    out at its first line as nbgrader does; a cell the key does not know loses its grade_id."""
    known = {cell["name"]: cell for cell in key["cells"]}
    seen = set()
    for cell in reversed(nb.cells):
        if cell.cell_type == "code":
            cell.outputs, cell.execution_count = [], None
        flags = cell.metadata.get("nbgrader", {})
        if not (flags.get("grade") or flags.get("solution") or flags.get("locked")):
            continue
        if flags.get("grade_id") in seen:
            cell.metadata.nbgrader = {}
        else:
            seen.add(flags.get("grade_id"))
    for cell in nb.cells:
        name = cell.metadata.get("nbgrader", {}).get("grade_id")
        if name is None:
            continue
        if name not in known:
            del cell.metadata.nbgrader["grade_id"]
            continue
        _overwrite(cell, known[name])
    _add_back_missing(nb, key)
    return nb


def _add_back_missing(nb, key):
    """Add back each graded cell missing from ``nb`` after the key's cell before it, with
    nbgrader's bookkeeping of positions (where that cell is gone too: at the end)."""
    present = {}
    for index, cell in enumerate(nb.cells):
        flags = cell.metadata.get("nbgrader", {})
        if flags.get("grade") or flags.get("solution"):
            present[flags["grade_id"]] = index
    order = [cell["name"] for cell in key["cells"]]
    added = 0
    for entry in key["cells"]:
        if entry["points"] is None or entry["name"] in present:
            continue
        position = order.index(entry["name"])
        cell = _added_back(entry)
        if position == 0:
            nb.cells.insert(0, cell)
            present[entry["name"]] = 0
        elif order[position - 1] in present:
            before = present[order[position - 1]]
            nb.cells.insert(before + added + 1, cell)
            present[entry["name"]] = before
        else:
            nb.cells.append(cell)
            present[entry["name"]] = len(nb.cells) - 1 - added
        added += 1


def _overwrite(cell, entry):
    """OverwriteCells for one cell: type, lock, points and checksum from the key's ``entry``;
    a locked cell's source too."""
    flags = cell.metadata.nbgrader
    if cell.cell_type != entry["cell_type"]:
        cell.cell_type = entry["cell_type"]
        if entry["cell_type"] == "code":
            cell.outputs, cell.execution_count = [], None
        else:
            cell.pop("outputs", None)
            cell.pop("execution_count", None)
    flags["locked"] = entry["locked"]
    if flags.get("grade") and entry["points"] is not None:
        flags["points"] = float(entry["points"])
    flags["checksum"] = entry["checksum"]
    if entry["locked"] and checksum(cell) != entry["checksum"]:
        cell.source = entry["source"]


def _added_back(entry):
    """A graded cell the student deleted, as nbgrader adds it back."""
    from nbformat.v4 import new_code_cell, new_markdown_cell

    source = MISSING_CELL.format(name=entry["name"]) + entry["source"]
    metadata = {
        "deletable": False,
        "editable": False,
        "nbgrader": {
            "grade": True,
            "grade_id": entry["name"],
            "locked": entry["locked"],
            "checksum": entry["checksum"],
            "cell_type": entry["cell_type"],
            "points": entry["points"],
            "solution": False,
            "schema_version": 3,
        },
    }
    if entry["solution"]:
        del metadata["editable"]
        metadata["nbgrader"]["solution"] = True
    if entry["cell_type"] == "code":
        return new_code_cell("# " + source, metadata=metadata)
    return new_markdown_cell(source, metadata=metadata)


def scores(nb):
    """The points of each graded cell of a run notebook, as nbgrader's SaveAutoGrades gives
    them: {grade_id: (score, maximum)}, score None for an answered written answer (a person
    grades it), 0 for one left as released; a test cell earns nothing when it shows an error."""
    result = {}
    for cell in nb.cells:
        flags = cell.metadata.get("nbgrader", {})
        if not flags.get("grade"):
            continue
        maximum = float(flags["points"])
        if flags.get("solution"):
            blank = flags.get("checksum") == checksum(cell)
            result[flags["grade_id"]] = (0.0 if blank else None, maximum)
        elif cell.cell_type == "code":
            failed = any(
                o.output_type == "error" or (o.output_type == "stream" and o.name == "stderr")
                for o in cell.outputs
            )
            result[flags["grade_id"]] = (0.0 if failed else maximum, maximum)
    return result
