"""Grading a class: every submission in ``submitted/``, several students at once, and the export.

Each notebook is one job. ``jobs`` worker processes (:mod:`course.grader.worker`) take jobs from a
queue, each keeping one nbgrader application from notebook to notebook, so one broken submission
cannot stop the others. A worker whose notebook runs past its time (an endless loop that ignores
interrupts) is killed with its kernel, that notebook is recorded as failed, and a fresh worker
takes the next job. Each notebook's status (graded, failed with a reason, missing) is kept in
``grading-status.json`` beside the gradebook, written whole after each notebook, so a run that
is interrupted leaves both consistent; running again grades again.
"""

import contextlib
import csv
import datetime
import json
import os
import queue
import signal
import subprocess
import sys
import tempfile
import threading
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass
from pathlib import Path

from nbgrader.api import Gradebook, MissingEntry

from course.grader import pipeline, processes

STATUS_FILE = "grading-status.json"


@dataclass
class Outcome:
    """What became of one student's submission of one assignment."""

    student: str
    assignment: str
    status: str
    reason: str = ""
    seconds: float = 0.0


def submissions(root, assignment_ids):
    """{student: [assignment ids they have a folder for]} from ``submitted/``, sorted."""
    folder = Path(root) / "submitted"
    found = {}
    for student in (
        sorted(p.name for p in folder.iterdir() if p.is_dir()) if folder.is_dir() else []
    ):
        mine = [a for a in assignment_ids if (folder / student / a).is_dir()]
        if mine:
            found[student] = mine
    return found


def ensure_in_gradebook(root, assignment_ids):
    """Release the assignments the gradebook does not know yet (nbgrader grades against it)."""
    missing = []
    with Gradebook(f"sqlite:///{Path(root) / 'gradebook.db'}") as gb:
        for assignment_id in assignment_ids:
            try:
                gb.find_assignment(assignment_id)
            except MissingEntry:
                missing.append(assignment_id)
    if missing:
        failures = pipeline.release(root, missing)
        if failures:
            raise RuntimeError(f"cannot add {', '.join(failures)} to the gradebook")
    return missing


class StatusBook:
    """The per-notebook statuses, kept in ``grading-status.json`` (one writer: this process)."""

    def __init__(self, root):
        self.path = Path(root) / STATUS_FILE
        self.lock = threading.Lock()
        try:
            self.data = json.loads(self.path.read_text())
        except (FileNotFoundError, json.JSONDecodeError):
            self.data = {}

    def record(self, outcome):
        """Keep ``outcome`` and write the file whole (a temporary file, then a rename)."""
        with self.lock:
            entry = asdict(outcome) | {
                "when": datetime.datetime.now().isoformat(timespec="seconds")
            }
            self.data.setdefault(outcome.student, {})[outcome.assignment] = entry
            temporary = self.path.with_suffix(".tmp")
            temporary.write_text(json.dumps(self.data, indent=1, sort_keys=True))
            os.replace(temporary, self.path)

    def get(self, student, assignment_id):
        """The last recorded status of a submission, or None."""
        return self.data.get(student, {}).get(assignment_id)


class Workers:
    """The worker processes running now, so that an interrupted run stops them all."""

    def __init__(self):
        self.running = set()
        self.lock = threading.Lock()
        self.stopping = threading.Event()

    def start(self, root):
        """Start a worker (:mod:`course.grader.worker`) in a session of its own, its errors going
        to a temporary file (a pipe could fill and stall it); None once the run is stopping."""
        with self.lock:
            if self.stopping.is_set():
                return None
            errors = tempfile.TemporaryFile()
            process = subprocess.Popen(
                [sys.executable, "-m", "course.grader.worker", str(root)],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=errors,
                text=True,
                start_new_session=True,
                preexec_fn=processes.die_with_parent,
                cwd=root,
            )
            process.errors = errors
            self.running.add(process)
            return process

    def finish(self, process):
        """Forget a worker that has ended."""
        with self.lock:
            self.running.discard(process)
        process.errors.close()

    def stop_all(self):
        """Kill every running worker, with its kernels; start no more."""
        with self.lock:
            self.stopping.set()
            for process in self.running:
                processes.kill_tree(process.pid)


def run_worker(root, jobs, budget, report, workers):
    """Grade ``(student, assignment)`` jobs taken from the queue ``jobs`` in one worker process,
    reused from notebook to notebook; call ``report(outcome)`` for each.

    Each notebook gets ``budget`` seconds from the moment it is handed over; past that the worker
    is killed with its kernel, the notebook is reported as failed, and a new worker takes the
    next job. When the run is interrupted (``workers.stop_all``), unfinished notebooks are not
    reported: they were not graded.
    """
    process = None
    try:
        while not workers.stopping.is_set():
            try:
                student, assignment_id = jobs.get_nowait()
            except queue.Empty:
                return
            if process is None:
                process = workers.start(root)
                if process is None:
                    return
            outcome = _grade_in(process, student, assignment_id, budget)
            if workers.stopping.is_set():
                return
            if outcome is None:  # the worker died: killed past its budget, or crashed
                process.wait()
                outcome = Outcome(student, assignment_id, "failed", _death(process, budget), budget)
                workers.finish(process)
                process = None
            report(outcome)
    finally:
        if process is not None:
            process.stdin.close()
            process.wait()
            workers.finish(process)


def _grade_in(process, student, assignment_id, budget):
    """Hand one job to a worker and wait for its outcome; None when the worker dies first."""
    timer = threading.Timer(budget, processes.kill_tree, [process.pid])
    try:
        process.stdin.write(json.dumps([student, assignment_id]) + "\n")
        process.stdin.flush()
        timer.start()
        for line in process.stdout:
            data = json.loads(line)
            if not data.get("started"):
                return Outcome(student, **data)
    except (BrokenPipeError, json.JSONDecodeError):
        pass
    finally:
        timer.cancel()
    return None


def _death(process, budget):
    """Why a worker died, in one line: killed past its budget, or its last error line."""
    if process.returncode in (-signal.SIGKILL, 128 + signal.SIGKILL):
        return (
            f"timed out after {budget:g} s: the notebook kept running (a loop that ignores "
            "interrupts?)"
        )
    process.errors.seek(0)
    text = process.errors.read().decode(errors="replace")
    lines = [line for line in text.splitlines() if line.strip()]
    return f"the grader crashed: {lines[-1][:200]}" if lines else "the grader crashed"


def grade_class(root, assignment_ids, jobs, budget=120.0, on_outcome=None):
    """Grade every submission of ``assignment_ids`` in ``submitted/`` with ``jobs`` workers.

    Returns the outcomes, one per student and assignment folder; ``on_outcome`` is called as
    each arrives (from worker threads).
    """
    work = submissions(root, assignment_ids)
    ensure_in_gradebook(root, assignment_ids)
    book = StatusBook(root)
    outcomes = []
    lock = threading.Lock()

    def report(outcome):
        book.record(outcome)
        with lock:
            outcomes.append(outcome)
        if on_outcome:
            on_outcome(outcome)

    todo = queue.Queue()
    for student, ids in work.items():
        for assignment_id in ids:
            todo.put((student, assignment_id))
    workers = Workers()
    count = max(1, min(jobs, todo.qsize()))
    pool = ThreadPoolExecutor(max_workers=count)
    try:
        futures = [
            pool.submit(run_worker, root, todo, budget, report, workers) for _ in range(count)
        ]
        for future in futures:
            future.result()
    except BaseException:  # Ctrl-C or a crash here: no worker may go on grading alone
        workers.stop_all()
        raise
    finally:
        pool.shutdown(wait=True, cancel_futures=True)
    return outcomes


def export(root, assignment_ids, exercises, output):
    """Write the class's grades as CSV to ``output`` (a path or an open text file).

    One row per student and assignment: each exercise's points (empty where not graded), the
    total and maximum, and the status: graded, failed (with its reason) or missing.
    ``exercises`` maps each assignment to its exercise names. Returns the number of rows.
    """
    root = Path(root)
    book = StatusBook(root)
    columns = [e for a in assignment_ids for e in exercises[a]]
    rows = []
    with Gradebook(f"sqlite:///{root / 'gradebook.db'}") as gb:
        for student in class_students(root, gb, book, assignment_ids):
            for assignment_id in assignment_ids:
                rows.append(_row(gb, book, root, student, assignment_id, exercises[assignment_id]))
    with csv_output(output) as handle:
        writer = csv.DictWriter(
            handle, ["student", "assignment", *columns, "total", "max_score", "status", "reason"]
        )
        writer.writeheader()
        writer.writerows(rows)
    return len(rows)


def class_students(root, gb, book, assignment_ids):
    """Every student the course knows, sorted: in the gradebook, in ``submitted/`` or in the
    grading status ``book``."""
    known = {s.id for s in gb.students} | set(book.data)
    return sorted(known | set(submissions(root, assignment_ids)))


def standing(gb, book, root, student, assignment_id):
    """Where a student's submission stands: ``(status, reason, notebook)``, the status graded,
    failed or missing, and the gradebook's ``SubmittedNotebook`` when graded (else None)."""
    status = book.get(student, assignment_id)
    if status is None:
        submitted = (Path(root) / "submitted" / student / assignment_id).is_dir()
        status = {
            "status": "graded" if submitted else "missing",
            "reason": "" if submitted else "no submission",
        }
    if status["status"] != "graded":
        return status["status"], status["reason"], None
    try:
        notebook = gb.find_submission_notebook(assignment_id, assignment_id, student)
    except MissingEntry:
        return "missing", "not graded yet: run course autograde", None
    return "graded", "", notebook


@contextlib.contextmanager
def csv_output(output):
    """A text handle to write CSV to ``output``: a path (opened, then closed) or an open file."""
    if isinstance(output, str | Path):
        with open(output, "w", newline="") as handle:
            yield handle
    else:
        yield output


def _row(gb, book, root, student, assignment_id, names):
    """One CSV row: points per exercise from the gradebook when the submission is graded."""
    status, reason, notebook = standing(gb, book, root, student, assignment_id)
    row = {"student": student, "assignment": assignment_id, "status": status, "reason": reason}
    if notebook is None:
        return row
    points = pipeline.points(notebook, names)
    row.update({name: f"{score:g}" for name, (score, _) in points.items()})
    row["total"] = f"{sum(score for score, _ in points.values()):g}"
    row["max_score"] = f"{sum(maximum for _, maximum in points.values()):g}"
    return row


def summary(outcomes, seconds):
    """Counts for the end-of-run table: students, notebooks, graded, failed, missing, time."""
    return {
        "students": len({o.student for o in outcomes}),
        "notebooks": len(outcomes),
        "graded": sum(o.status == "graded" for o in outcomes),
        "failed": sum(o.status == "failed" for o in outcomes),
        "missing": sum(o.status == "missing" for o in outcomes),
        "time": f"{seconds:.1f} s",
    }
