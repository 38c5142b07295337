"""Class-scale grading: course autograde grades a class in parallel, records every broken
submission with a reason, never touches submitted/, and course export tells a failure from a
real zero."""

import csv
import hashlib
import html
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import nbformat
import pytest
from bank import BANK
from helpers import BIN, fill, make_course, run_course, sandbox_off, solutions, submit
from nbgrader.api import Gradebook

from course.grader import classreport

ASSIGNMENT = "03_mse_loss"
KILLER = "import os\nos.kill(os.getpid(), 9)"
HANG = (
    "import signal, time\nsignal.signal(signal.SIGINT, signal.SIG_IGN)\nwhile True:\n"
    "    time.sleep(0.05)"
)
"""A loop that ignores interrupts; it sleeps, where a student's would spin: the grader cannot tell
them apart, and the suite's two cores are spared (test_warm spins one)."""


NOTEBOOK_TIMEOUT = 30
"""Seconds a notebook may take here; the others take 3 to 5 (more while the rest of the suite
runs beside, in two processes)."""
CELL_TIMEOUT = 5
"""Seconds a cell may take here (03's take a fraction of one): the runaway, which ignores its
interrupt, is stopped 15 s after it (the grace of classgrade.Limits)."""


def course(root, *args, timeout=600):
    return run_course(*args, timeout=timeout, COURSE_ROOT=root, **sandbox_off())


def tree_digest(folder):
    digest = hashlib.sha256()
    for path in sorted(folder.rglob("*")):
        digest.update(str(path.relative_to(folder)).encode())
        if path.is_file():
            digest.update(path.read_bytes())
    return digest.hexdigest()


@pytest.fixture(scope="module")
def klass(tmp_path_factory):
    """A course with a class of eight: right, wrong, broken in five ways, and a classmate."""
    root = make_course(tmp_path_factory.mktemp("class"), ["01_matrix_multiplication", ASSIGNMENT])
    release = nbformat.read(root / "release" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb", 4)
    right = solutions(nbformat.read(root / "source" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb", 4))
    sums = next(code for label, code, _ in BANK["mse"] if label == "sum")
    submit(root, "right", ASSIGNMENT, fill(release, right))
    submit(root, "wrong", ASSIGNMENT, fill(release, {**right, "mse": sums}))
    submit(root, "killer", ASSIGNMENT, fill(release, {**right, "mse": KILLER}))
    submit(root, "hang", ASSIGNMENT, fill(release, {**right, "mse": HANG}))
    corrupt = submit(root, "corrupt", ASSIGNMENT, release)
    corrupt.write_text('{"cells": [ this is not json')
    misnamed = submit(root, "misnamed", ASSIGNMENT, fill(release, right))
    misnamed.rename(misnamed.with_name("my_mse.ipynb"))
    other = nbformat.read(
        root / "release" / "01_matrix_multiplication" / "01_matrix_multiplication.ipynb", 4
    )
    submit(root, "only01", "01_matrix_multiplication", other)
    submit(root, "hang", "01_matrix_multiplication", other)  # graded after 03 runs away
    submit(root, "zz_classmate", ASSIGNMENT, fill(release, {**right, "mse": sums}))
    before = tree_digest(root / "submitted")
    scratch = Path(tempfile.mkdtemp(prefix="t", dir="/tmp"))  # short: it holds IPC sockets
    result = run_course(
        "autograde",
        "--jobs",
        "2",
        "--notebook-timeout",
        str(NOTEBOOK_TIMEOUT),
        "--cell-timeout",
        str(CELL_TIMEOUT),
        COURSE_ROOT=root,
        TMPDIR=scratch,
        **sandbox_off(),
    )
    left = sorted(p.name for p in scratch.iterdir())
    shutil.rmtree(scratch)
    return root, result, before, left


def statuses(root):
    data = json.loads((root / "grading-status.json").read_text())
    return {(s, a): entry for s, by in data.items() for a, entry in by.items()}


def test_autograde_grades_the_class_and_reports_the_broken(klass):
    root, result, before, _ = klass
    assert result.returncode == 1, result.stdout + result.stderr
    found = statuses(root)
    assert found["right", ASSIGNMENT]["status"] == "graded"
    assert found["wrong", ASSIGNMENT]["status"] == "graded"
    assert found["zz_classmate", ASSIGNMENT]["status"] == "graded"
    assert found["killer", ASSIGNMENT]["status"] == "failed"
    assert "kernel died" in found["killer", ASSIGNMENT]["reason"]
    assert found["hang", ASSIGNMENT]["status"] == "failed"
    assert found["hang", ASSIGNMENT]["reason"].startswith("timed out: cell ")
    assert "(mse) was still running after it was interrupted" in found["hang", ASSIGNMENT]["reason"]
    assert found["hang", "01_matrix_multiplication"]["status"] == "graded"
    assert found["corrupt", ASSIGNMENT]["status"] == "failed"
    assert "invalid notebook file" in found["corrupt", ASSIGNMENT]["reason"]
    assert found["misnamed", ASSIGNMENT]["status"] == "failed"
    assert "my_mse.ipynb" in found["misnamed", ASSIGNMENT]["reason"]
    assert "Summary" in result.stdout and "Not graded" in result.stdout
    assert "timed out" in " ".join(result.stdout.split())
    assert tree_digest(root / "submitted") == before


def test_export_tells_failures_and_missing_work_from_zeros(klass):
    root, _, _, _ = klass
    output = root / "grades.csv"
    assert course(root, "export", "--output", str(output)).returncode == 0
    rows = {(r["student"], r["assignment"]): r for r in csv.DictReader(output.open())}
    assert rows["right", ASSIGNMENT]["total"] == rows["right", ASSIGNMENT]["max_score"] == "8"
    assert (
        rows["wrong", ASSIGNMENT]["mse"] == "0" and rows["wrong", ASSIGNMENT]["loss_by_hand"] == "3"
    )
    assert rows["zz_classmate", ASSIGNMENT]["mse"] == "0"
    for student in ("killer", "hang", "corrupt", "misnamed"):
        row = rows[student, ASSIGNMENT]
        assert row["status"] == "failed" and row["reason"] and row["total"] == "", student
    assert rows["only01", ASSIGNMENT]["status"] == "missing"
    assert rows["right", "01_matrix_multiplication"]["status"] == "missing"
    assert rows["only01", "01_matrix_multiplication"]["status"] == "graded"
    assert rows["only01", "01_matrix_multiplication"]["total"] == "0"


def left_running(root):
    """The processes still working in the course at ``root``: a command line or a working
    folder inside it (grading workers, their kernels, sandboxed or not)."""
    found = []
    for proc in os.listdir("/proc"):
        if not proc.isdigit() or int(proc) == os.getpid():
            continue
        try:
            command = open(f"/proc/{proc}/cmdline", "rb").read()
            folder = os.readlink(f"/proc/{proc}/cwd")
        except OSError:
            continue
        if str(root).encode() in command or folder.startswith(str(root)):
            found.append((int(proc), command.replace(b"\0", b" "), folder))
    return found


def test_a_notebook_killed_past_its_time_leaves_no_kernel_running(klass):
    """The runaway loop of "hang" ignores interrupts: its worker is killed, and its kernel, in
    the sandbox or not, must not go on burning a core after the run."""
    root, result, _, _ = klass
    assert "timed out" in statuses(root)["hang", ASSIGNMENT]["reason"]
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and left_running(root):
        time.sleep(0.5)
    assert left_running(root) == []


def test_grading_leaves_no_folder_behind_even_when_a_worker_is_killed(klass):
    """Each grading process removes its kernels' sockets folder and its warm parents' folders;
    those of the worker killed with the runaway notebook are removed by the run."""
    _, _, _, left = klass
    assert left == []


def workers_of(root):
    """The pids of grading workers still running for the course at ``root``."""
    found = []
    for proc in os.listdir("/proc"):
        try:
            command = open(f"/proc/{proc}/cmdline", "rb").read().split(b"\0")
        except OSError:
            continue
        if b"course.grader.worker" in command and str(root).encode() in command:
            found.append(int(proc))
    return found


@pytest.mark.parametrize("how", [signal.SIGINT, signal.SIGKILL])
def test_an_interrupted_run_stops_its_workers_and_a_rerun_grades_the_same(klass, how, tmp_path):
    root, _, before, _ = klass
    said = (tmp_path / "said.txt").open("w+")  # what the run printed, for a failure's message
    first = statuses(root)
    env = dict(os.environ, COURSE_ROOT=str(root), PATH=BIN + os.pathsep + os.environ["PATH"])
    env.update(sandbox_off())
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "course",
            "autograde",
            ASSIGNMENT,
            "--jobs",
            "2",
            "--notebook-timeout",
            "20",
        ],
        env=env,
        stdout=said,
        stderr=subprocess.STDOUT,
        # Ctrl-C's SIGINT, as a terminal's command has it: a suite started in the background
        # by a shell passes SIGINT on ignored, and a run would then grade on to the end
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )
    hang = str(root / "autograded" / "hang")

    def hang_running():
        return [p for p in left_running(root) if hang.encode() in p[1] or p[2].startswith(hang)]

    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and not hang_running():
        time.sleep(0.2)
    assert workers_of(root) and hang_running(), "the run never reached the runaway notebook"
    process.send_signal(how)
    process.wait(timeout=60)
    if how == signal.SIGINT:
        said.seek(0)
        assert process.returncode == 130, said.read()[-3000:]
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline and workers_of(root):
        time.sleep(0.2)
    assert not workers_of(root), "a worker went on grading after the run was interrupted"
    while time.monotonic() < deadline and left_running(root):
        time.sleep(0.2)
    assert left_running(root) == [], "a kernel went on running after the run was interrupted"
    json.loads((root / "grading-status.json").read_text())  # still whole
    with Gradebook(f"sqlite:///{root / 'gradebook.db'}") as gb:
        assert {s.id for s in gb.students} >= {"right", "wrong"}
    # everyone again but the runaway, whose status (failed, timed out) the first run left
    others = [f"--student={s}" for s, a in first if a == ASSIGNMENT and s not in ("hang", "only01")]
    again = course(
        root, "autograde", ASSIGNMENT, *others, "--jobs", "2", "--notebook-timeout", "60"
    )
    assert again.returncode == 1
    second = statuses(root)
    assert {k: v["status"] for k, v in second.items()} == {k: v["status"] for k, v in first.items()}
    assert tree_digest(root / "submitted") == before


def test_the_report_tells_broken_and_missing_submissions_from_mistakes(klass):
    root, _, _, _ = klass
    output = root / "class-report.html"
    result = course(root, "report", ASSIGNMENT, "--output", str(output))
    assert result.returncode == 0, result.stderr
    assert f"{ASSIGNMENT}: 3 graded, 4 failed, 1 missing" in result.stdout
    (found,) = classreport.collect(root, [ASSIGNMENT])
    assert sorted(found.totals) == ["right", "wrong", "zz_classmate"]
    assert sorted(found.failed) == ["corrupt", "hang", "killer", "misnamed"]
    assert found.missing == ["only01"]
    mse = next(e for e in found.exercises if e.name == "mse")
    (sums,) = [m for m in mse.mistakes if "sum of the squared errors" in m.text]
    assert sums.students == ["wrong", "zz_classmate"] and mse.lost_points == 2
    page = output.read_text()
    assert "<b>4</b> failed to grade" in page and "<b>1</b> missing" in page
    for reason in {found.failed[s] for s in found.failed}:
        assert html.escape(reason) in page
    assert not any(s in page for s in ("killer", "zz_classmate", "only01", "corrupt"))


def test_the_canvas_export_leaves_what_was_not_graded_empty(klass):
    root, _, _, _ = klass
    output = root / "canvas.csv"
    assert course(root, "export", "--format", "canvas", "--output", str(output)).returncode == 0
    rows = list(csv.reader(output.open()))
    column = rows[0].index(ASSIGNMENT)
    assert rows[1][0] == "Points Possible" and rows[1][column] == "8"
    totals = {row[0]: row[column] for row in rows[2:]}
    assert totals["right"] == "8" and totals["wrong"] == "3"
    for student in ("killer", "hang", "corrupt", "misnamed", "only01"):
        assert totals[student] == "", student
