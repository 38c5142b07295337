"""Grades an instructor can post: a class with a written answer waiting for a grader, late work
under a zero penalty, a corrupt file fixed and regraded alone, a function that loops forever and
a renamed notebook. Every grade that leaves the course (the CSV, the Canvas file, the feedback,
the report) is checked against `nbgrader export` and against what the instructor must see."""

import csv
import io
import json
import re

import nbformat
import pytest
from helpers import (
    autograde,
    fill,
    make_course,
    nbgrader,
    run_course,
    sandbox_off,
    solutions,
    submit,
)
from nbgrader.api import Gradebook

ASSIGNMENT = "05_training_loop"
OTHER = "03_mse_loss"
LOOP = "import time\n\ndef gd_step(w, b, dw, db, eta):\n    while True:\n        time.sleep(0.05)"
"""A function that never returns (sleeping, where a student's would spin: the grader cannot tell
them apart, and the suite's two cores are spared; test_warm spins one)."""
DUE = "2026-11-20 12:00:00 UTC"
CELL_TIMEOUT = "3"
"""Seconds a cell may run here: the looping gd_step costs this once per cell that calls it."""


def course(root, *args):
    return run_course(*args, timeout=900, COURSE_ROOT=root, **sandbox_off())


def stamp(path, when):
    """Write the submission time nbgrader collect would have written beside a submission."""
    (path.parent / "timestamp.txt").write_text(when)


@pytest.fixture(scope="module")
def klass(tmp_path_factory):
    """The class, graded once by `course autograde`, as a TA would meet it."""
    root = make_course(tmp_path_factory.mktemp("postable"), [OTHER, ASSIGNMENT])
    with open(root / "nbgrader_config.py", "a") as config:
        config.write('\nc.LateSubmissionPlugin.penalty_method = "zero"\n')
    release = nbformat.read(root / "release" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb", 4)
    right = solutions(nbformat.read(root / "source" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb", 4))
    coded = {k: v for k, v in right.items() if k != "convergence"}
    stamp(submit(root, "ada", ASSIGNMENT, fill(release, right)), "2026-11-19 09:00:00 UTC")
    stamp(submit(root, "ben", ASSIGNMENT, fill(release, coded)), "2026-11-22 15:30:00 UTC")
    eve = submit(root, "eve", ASSIGNMENT, fill(release, coded))
    stamp(eve, "2026-11-20 11:00:00 UTC")
    eve.write_text('{"cells": [ this is not json')
    stamp(
        submit(root, "lou", ASSIGNMENT, fill(release, {**coded, "gd_step": LOOP})),
        "2026-11-20 11:59:00 UTC",
    )
    renamed = submit(root, "ren", ASSIGNMENT, fill(release, coded))
    renamed.rename(renamed.with_name(f"{ASSIGNMENT}-Copy1.ipynb"))
    other = nbformat.read(root / "release" / OTHER / f"{OTHER}.ipynb", 4)
    submit(root, "kim", OTHER, other)  # only 03: her 05 is missing
    due = nbgrader(root, "db", "assignment", "add", ASSIGNMENT, f"--duedate={DUE}")
    assert due.returncode == 0, due.stderr
    result = course(root, "autograde", "--jobs", "2", "--cell-timeout", CELL_TIMEOUT)
    return root, result, eve


def summary_row(stdout):
    """The cells of the row of course autograde's summary table."""
    table = stdout.split("Summary", 1)[1]
    row = next(line for line in table.splitlines() if line.startswith("│"))
    return [cell.strip() for cell in row.split("│") if cell.strip()]


def export(root, *args):
    result = course(root, "export", *args)
    assert result.returncode == 0, result.stderr
    return result


def rows_of(text):
    return {(r["student"], r["assignment"]): r for r in csv.DictReader(io.StringIO(text))}


def canvas(root, *args):
    result = export(root, "--format", "canvas", *args)
    table = list(csv.reader(io.StringIO(result.stdout)))
    column = table[0].index(ASSIGNMENT)
    return table, {row[2]: row[column] for row in table[2:]}, result


def nbgrader_export(root):
    """nbgrader's own export: {student: row} for the assignment."""
    result = nbgrader(root, "export", "--to", str(root / "nbgrader-grades.csv"))
    assert result.returncode == 0, result.stderr
    rows = csv.DictReader((root / "nbgrader-grades.csv").open())
    return {r["student_id"]: r for r in rows if r["assignment"] == ASSIGNMENT}


def hand_grade(root, student, points):
    """Give the written answer ``points``, as formgrader does when a grader types them."""
    with Gradebook(f"sqlite:///{root / 'gradebook.db'}") as gb:
        grade = gb.find_grade("convergence", ASSIGNMENT, ASSIGNMENT, student)
        grade.manual_score = points
        grade.needs_manual_grade = False
        gb.db.commit()


def test_the_autograde_summary_and_its_reasons(klass):
    root, result, _ = klass
    out = " ".join(result.stdout.split())
    assert result.returncode == 1, result.stdout + result.stderr
    # students, notebooks, graded, failed, missing (kim: 05; the others: 03)
    assert summary_row(result.stdout)[:5] == ["6", "6", "4", "2", "6"], result.stdout
    status = json.loads((root / "grading-status.json").read_text())
    assert status["eve"][ASSIGNMENT]["reason"] == (
        "invalid notebook file: not valid JSON (line 1, column 13)"
    )
    assert f"found {ASSIGNMENT}-Copy1.ipynb" in status["ren"][ASSIGNMENT]["reason"]
    assert "Not graded" in out and "│ eve" in result.stdout and "│ ren" in result.stdout


def test_a_function_that_loops_costs_only_the_exercises_that_call_it(klass):
    root, _, _ = klass
    lou = rows_of(export(root, ASSIGNMENT).stdout)["lou", ASSIGNMENT]
    assert lou["status"] == "graded", lou
    assert (lou["gd_step"], lou["fit"], lou["closed_form"]) == ("0", "0", "3")
    graded = nbformat.read(root / "autograded" / "lou" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb", 4)
    messages = [
        " ".join(o.evalue.split())
        for c in graded.cells
        for o in c.get("outputs", [])
        if o.output_type == "error"
    ]
    assert any("did not finish in time" in m for m in messages), messages


def test_pending_late_and_regraded_grades_as_they_must_be_posted(klass):
    root, _, eve = klass
    result = export(root, ASSIGNMENT)
    rows = rows_of(result.stdout)
    ada, ben = rows["ada", ASSIGNMENT], rows["ben", ASSIGNMENT]
    # a written answer nobody has read is pending, never a silent 0; the total says so
    assert ada["convergence"] == "pending" and ada["status"] == "pending"
    assert "convergence (4 points)" in ada["reason"] and ada["total"] == "9"
    assert "1 written answer in 1 submission (05_training_loop) still waits" in result.stderr
    # late work: nbgrader's penalty, the time and how late, the total after the penalty
    assert (ben["raw_total"], ben["late_penalty"], ben["total"]) == ("9", "9", "0")
    assert ben["submitted"] == "2026-11-22 15:30:00" and ben["late_by"] == "2 d 3 h"
    assert ben["convergence"] == "0" and ben["status"] == "graded"  # left blank: 0, not pending
    assert rows["lou", ASSIGNMENT]["late_by"] == "" and rows["ada", ASSIGNMENT]["late_by"] == ""
    assert rows["eve", ASSIGNMENT]["status"] == "failed"
    assert rows["ren", ASSIGNMENT]["status"] == "failed"
    assert rows["kim", ASSIGNMENT]["status"] == "missing"
    # the same numbers as nbgrader's own export
    theirs = nbgrader_export(root)
    for student in ("ada", "ben", "lou"):
        mine = rows[student, ASSIGNMENT]
        assert float(theirs[student]["raw_score"]) == float(mine["raw_total"]), student
        assert float(theirs[student]["late_submission_penalty"]) == float(mine["late_penalty"])
        assert float(theirs[student]["score"]) == float(mine["total"]), student
        assert float(theirs[student]["max_score"]) == float(mine["max_score"]) == 13
    # Canvas: points possible from the course, graded or not; pending and failed left empty
    table, totals, result = canvas(root)
    assert table[1][table[0].index(ASSIGNMENT)] == "13" and table[1][table[0].index(OTHER)] == "8"
    for name in ("01_matrix_multiplication", "04_gradients"):
        assert table[1][table[0].index(name)] != "0"
    assert totals["ada"] == "" and totals["ben"] == "0" and totals["lou"] == "3"
    assert totals["eve"] == totals["ren"] == totals["kim"] == ""
    assert "left empty in the Canvas file" in result.stderr
    assert canvas(root, "--include-pending")[1]["ada"] == "9"
    only = export(root, "--format", "canvas", OTHER).stdout.splitlines()[0]
    assert only.endswith(",Section,03_mse_loss")
    # the feedback says the written answer is not graded yet, and names each test's exercise
    feedback = course(root, "feedback", ASSIGNMENT)
    assert feedback.returncode == 0, feedback.stderr
    assert "warning: 1 report shows written answers still waiting" in feedback.stderr
    page = (root / "feedback" / "ada" / ASSIGNMENT / f"{ASSIGNMENT}.html").read_text()
    assert "Score: 0.0 / 4.0" not in page and "Not graded yet: 4 points" in page
    assert "not final: 4 points wait for hand grading" in page
    assert "Test of <code>gd_step</code>" in page and ">Test cell<" not in page
    # eve's file fixed, and regraded alone with plain nbgrader: her status follows
    eve.write_text(
        nbformat.writes(
            fill(
                nbformat.read(root / "release" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb", 4),
                {
                    k: v
                    for k, v in solutions(
                        nbformat.read(root / "source" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb", 4)
                    ).items()
                    if k != "convergence"
                },
            )
        )
    )
    regraded = autograde(root, ASSIGNMENT, "--student", "eve")
    assert regraded.returncode == 0, regraded.stderr[-2000:]
    eve_row = rows_of(export(root, ASSIGNMENT).stdout)["eve", ASSIGNMENT]
    assert eve_row["status"] == "graded" and eve_row["total"] == "9", eve_row
    assert canvas(root)[1]["eve"] == "9"


def test_hand_grading_then_regrading_one_student_keeps_the_hand_grade(klass, tmp_path):
    root, _, _ = klass
    hand_grade(root, "ada", 3.0)
    again = course(
        root, "autograde", ASSIGNMENT, "--student", "ada", "--cell-timeout", CELL_TIMEOUT
    )
    assert again.returncode == 0, again.stdout + again.stderr
    assert summary_row(again.stdout)[:3] == ["1", "1", "1"], again.stdout
    ada = rows_of(export(root, ASSIGNMENT).stdout)["ada", ASSIGNMENT]
    assert (ada["convergence"], ada["total"], ada["status"]) == ("3", "12", "graded")
    assert canvas(root)[1]["ada"] == "12"
    report = course(root, "report", ASSIGNMENT, "--output", str(tmp_path / "r.html"))
    assert report.returncode == 0, report.stderr
    page = (tmp_path / "r.html").read_text()
    row = page.split("<td><code>convergence</code></td>")[1].split("</tr>")[0]
    hand, waiting, blank = re.findall(r"<td class='num'>([^<]*)</td>", row)[:3]
    assert (hand, waiting, blank) == ("1", "0", "3"), row  # ben, eve and lou left it blank
    feedback = course(root, "feedback", ASSIGNMENT)
    assert "waiting" not in feedback.stderr
    page = (root / "feedback" / "ada" / ASSIGNMENT / f"{ASSIGNMENT}.html").read_text()
    assert "Not graded yet" not in page and "Score: 3.0 / 4.0" in page


def test_an_unknown_student_is_refused_in_one_line(klass):
    root, _, _ = klass
    result = course(root, "autograde", ASSIGNMENT, "--student", "nobody")
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [
        f"course autograde: no submission in submitted/ of {ASSIGNMENT} by nobody"
    ]


def test_an_extension_lifts_the_late_penalty_after_a_regrade(klass):
    root, _, _ = klass
    result = course(root, "extend", ASSIGNMENT, "ben", "--hours", "72")
    assert result.returncode == 0, result.stderr
    assert "ben is due 2026-11-23 12:00 UTC" in result.stdout
    again = course(
        root, "autograde", ASSIGNMENT, "--student", "ben", "--cell-timeout", CELL_TIMEOUT
    )
    assert again.returncode == 0, again.stdout + again.stderr
    ben = rows_of(export(root, ASSIGNMENT).stdout)["ben", ASSIGNMENT]
    assert (ben["late_penalty"], ben["total"], ben["late_by"]) == ("0", "9", ""), ben
    assert float(nbgrader_export(root)["ben"]["score"]) == 9
    assert course(root, "extend", OTHER, "ben", "--hours", "1").returncode == 2  # no due date
