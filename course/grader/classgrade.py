"""Grading a class: every submission in ``submitted/`` (or some students'), several at once.

Each notebook is one job. ``jobs`` worker processes (:mod:`course.grader.worker`) take jobs from a
queue, each keeping one nbgrader application from notebook to notebook, so one broken submission
cannot stop the others. A cell that runs past its limit is interrupted and fails alone (a
function that loops costs the exercises that call it); a worker whose notebook will not go on
(a cell that ignores its interrupt) is killed with its kernel by a :class:`Watchdog`, that
notebook is recorded as failed, and a fresh worker takes the next job. Each notebook's status
(graded, failed with a reason, missing) is kept in ``grading-status.json`` beside the gradebook
(:class:`course.grader.standing.StatusBook`), written whole after each notebook, so a run that
is interrupted leaves both consistent; running again grades again.
"""

import json
import signal
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from nbgrader.api import Gradebook, MissingEntry

from course.grader import pipeline, processes, warmstart
from course.grader.standing import StatusBook, submissions


@dataclass
class Outcome:
    """What became of one student's submission of one assignment."""

    student: str
    assignment: str
    status: str
    reason: str = ""
    seconds: float = 0.0


def ensure_in_gradebook(root, assignment_ids, students=()):
    """Release the assignments the gradebook does not know yet (nbgrader grades against it), and
    add the ``students`` it does not know: two workers grading one student's notebooks at once
    would otherwise both add the student, and one would fail (a UNIQUE constraint)."""
    missing = []
    with Gradebook(f"sqlite:///{Path(root) / 'gradebook.db'}") as gb:
        for student in students:
            gb.update_or_create_student(student)
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


class Jobs:
    """The notebooks left to grade, handed out so that a worker keeps to one student while that
    student has notebooks left (their kernels come from one warm parent), and workers take
    different students while there are several."""

    def __init__(self, work):
        self.left = {student: list(ids) for student, ids in work.items() if ids}
        self.held = {}  # worker -> the student it grades
        self.lock = threading.Lock()

    def __len__(self):
        return sum(map(len, self.left.values()))

    def take(self, worker):
        """The next job for ``worker`` (any hashable): ``(student, assignment, ahead)``, where
        ``ahead`` lists that student's notebooks left to grade, this one first; None when no
        job is left."""
        with self.lock:
            student = self.held.get(worker)
            if not self.left.get(student):
                others = set(self.held.values()) - {student}
                waiting = [s for s in self.left if self.left[s]]
                free = [s for s in waiting if s not in others]
                busy = sorted(waiting, key=lambda s: -len(self.left[s]))
                choice = free or busy
                if not choice:
                    return None
                student = choice[0]
                self.held[worker] = student
            ahead = list(self.left[student])
            return student, self.left[student].pop(0), ahead


class Workers:
    """The worker processes running now, so that an interrupted run stops them all."""

    def __init__(self):
        self.running = set()
        self.lock = threading.Lock()
        self.stopping = threading.Event()

    def start(self, root):
        """Start a worker (:mod:`course.grader.worker`) in a session of its own, its errors
        going to a temporary file (a pipe could fill and stall it); None once the run is
        stopping."""
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
        """Kill every running worker, with its kernels, and remove the folders it leaves; start
        no more."""
        with self.lock:
            self.stopping.set()
            for process in self.running:
                processes.kill_tree(process.pid)
                process.wait()
                warmstart.remove_leftovers(process.pid)


@dataclass
class Limits:
    """How long grading waits, in seconds. A cell runs ``cell`` seconds, then nbgrader interrupts
    it and the notebook goes on (the cell fails alone). A notebook is stopped, as failed, only
    when it will not go on: a cell still running ``grace`` seconds after its interrupt (a loop
    that ignores interrupts), a kernel that does not start in ``start`` seconds, or, as a last
    resort, ``notebook`` seconds in all (default: every code cell at its limit, and a minute)."""

    cell: float = 30.0
    grace: float = 15.0
    start: float = 90.0
    notebook: float | None = None

    def for_notebook(self, path):
        """The whole-notebook limit for the submission at ``path``."""
        if self.notebook:
            return self.notebook
        try:
            cells = json.loads(Path(path).read_text())["cells"]
            count = sum(cell.get("cell_type") == "code" for cell in cells)
        except (OSError, ValueError, KeyError, TypeError, AttributeError):
            count = 0
        return self.start + self.cell * max(count, 1) + 60.0


class Watchdog:
    """Kills a worker, with its kernel, when its notebook will not go on (see :class:`Limits`),
    and remembers why, in words for the instructor."""

    def __init__(self, pid, limits, whole):
        self.pid, self.limits = pid, limits
        self.started = time.monotonic()
        self.deadline = self.started + limits.start
        self.end = self.started + whole
        self.whole = whole
        self.cell = None
        self.why = None
        self.done = threading.Event()
        threading.Thread(target=self._watch, daemon=True).start()

    def cell_started(self, index, label):
        """Note that cell ``index`` (its grade_id ``label``, if any) started now."""
        self.cell = (index, label)
        self.deadline = time.monotonic() + self.limits.cell + self.limits.grace

    def stop(self):
        """The notebook is done: stop watching."""
        self.done.set()

    def _watch(self):
        while not self.done.wait(0.25):
            now = time.monotonic()
            if now > self.end:
                self.why = (
                    f"timed out after {self.whole:g} s: the notebook kept running to the "
                    "limit of the whole notebook"
                )
            elif now > self.deadline and self.cell is None:
                self.why = f"the kernel did not start within {self.limits.start:g} s"
            elif now > self.deadline:
                index, label = self.cell
                where = f"cell {index + 1}" + (f" ({label})" if label else "")
                self.why = (
                    f"timed out: {where} was still running {self.limits.grace:g} s after it "
                    f"was interrupted at the cell limit of {self.limits.cell:g} s, so the "
                    "notebook was stopped there (a loop that ignores interrupts?)"
                )
            if self.why:
                processes.kill_tree(self.pid)
                return


def run_worker(root, jobs, limits, report, workers, process=None):
    """Grade ``(student, assignment)`` jobs taken from ``jobs`` (:class:`Jobs`) in one worker
    process (``process``, started already, or a new one), reused from notebook to notebook;
    call ``report(outcome)`` for each.

    A notebook that will not go on (see :class:`Limits`) is stopped: the worker is killed with
    its kernel, the notebook is reported as failed with the reason, and a new worker takes the
    next job. When the run is interrupted (``workers.stop_all``), unfinished notebooks are not
    reported: they were not graded.
    """
    me = object()
    try:
        while not workers.stopping.is_set():
            job = jobs.take(me)
            if job is None:
                return
            student, assignment_id, ahead = job
            if process is None:
                process = workers.start(root)
                if process is None:
                    return
            path = Path(root) / "submitted" / student / assignment_id / f"{assignment_id}.ipynb"
            outcome, why = _grade_in(process, job, limits, path)
            if workers.stopping.is_set():
                return
            if outcome is None:  # the worker died: stopped by its watchdog, or crashed
                process.wait()
                warmstart.remove_leftovers(process.pid)
                seconds = limits.for_notebook(path)
                outcome = Outcome(student, assignment_id, "failed", why or _death(process), seconds)
                workers.finish(process)
                process = None
            report(outcome)
    finally:
        if process is not None:
            process.stdin.close()
            process.wait()
            workers.finish(process)


def _grade_in(process, job, limits, path):
    """Hand one job, ``(student, assignment, ahead)``, to a worker and wait for its outcome:
    ``(outcome, None)``, or ``(None, why)`` when the worker dies first (``why``: the watchdog's
    reason, or None for a crash)."""
    student, assignment_id, _ = job
    watch = Watchdog(process.pid, limits, limits.for_notebook(path))
    try:
        process.stdin.write(json.dumps(job) + "\n")
        process.stdin.flush()
        for line in process.stdout:
            data = json.loads(line)
            if "cell" in data:
                watch.cell_started(data["cell"], data.get("label"))
            elif not data.get("started"):
                return Outcome(student, **data), None
    except (BrokenPipeError, json.JSONDecodeError):
        pass
    finally:
        watch.stop()
    return None, watch.why


def _death(process):
    """Why a worker died that no watchdog stopped, in one line: its last error line."""
    if process.returncode in (-signal.SIGKILL, 128 + signal.SIGKILL):
        return "the grader was killed (out of memory?)"
    process.errors.seek(0)
    text = process.errors.read().decode(errors="replace")
    lines = [line for line in text.splitlines() if line.strip()]
    return f"the grader crashed: {lines[-1][:200]}" if lines else "the grader crashed"


def chosen(root, assignment_ids, students=None):
    """{student: [assignment ids]} to grade: every submission folder in ``submitted/`` of
    ``assignment_ids``, or only ``students``' (ValueError names one who has none)."""
    work = submissions(root, assignment_ids)
    if not students:
        return work
    unknown = sorted(set(students) - set(work))
    if unknown:
        raise ValueError(
            f"no submission in submitted/ of {', '.join(assignment_ids)} by {', '.join(unknown)}"
        )
    return {s: ids for s, ids in work.items() if s in students}


def grade_class(root, assignment_ids, jobs, limits=None, on_outcome=None, students=None):
    """Grade every submission of ``assignment_ids`` in ``submitted/`` with ``jobs`` workers (only
    those of ``students`` when given; an unknown student raises ValueError).

    Returns the outcomes, one per student and assignment folder; ``on_outcome`` is called as
    each arrives (from worker threads). ``limits``: :class:`Limits`.
    """
    limits = limits or Limits()
    work = chosen(root, assignment_ids, students)
    todo = Jobs(work)
    workers = Workers()
    count = max(1, min(jobs, len(todo)))
    # the workers start (importing nbgrader takes a second) while the gradebook is readied
    started = [workers.start(root) for _ in range(count)]
    try:
        ensure_in_gradebook(root, assignment_ids, list(work))
    except BaseException:
        workers.stop_all()
        raise
    book = StatusBook(root)
    outcomes = []
    lock = threading.Lock()

    def report(outcome):
        book.record(outcome)
        with lock:
            outcomes.append(outcome)
        if on_outcome:
            on_outcome(outcome)

    pool = ThreadPoolExecutor(max_workers=count)
    try:
        futures = [
            pool.submit(run_worker, root, todo, limits, report, workers, process)
            for process in started
        ]
        for future in futures:
            future.result()
    except BaseException:  # Ctrl-C or a crash here: no worker may go on grading alone
        workers.stop_all()
        raise
    finally:
        pool.shutdown(wait=True, cancel_futures=True)
    return outcomes


def summary(outcomes, seconds, expected):
    """Counts for the end-of-run table: students, notebooks, graded, failed, missing, time.
    ``expected`` is how many notebooks the run should have seen (its students times the
    assignments any of them handed in): one with no folder counts as missing, as the export
    lists it."""
    folders_missing = sum(o.status == "missing" for o in outcomes)
    return {
        "students": len({o.student for o in outcomes}),
        "notebooks": len(outcomes),
        "graded": sum(o.status == "graded" for o in outcomes),
        "failed": sum(o.status == "failed" for o in outcomes),
        "missing": folders_missing + max(0, expected - len(outcomes)),
        "time": f"{seconds:.1f} s",
    }
