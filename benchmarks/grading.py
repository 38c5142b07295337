"""Benchmark: grading a synthetic class and the course's commands, as medians of repeated runs.

    .venv/bin/python benchmarks/grading.py [--students 4] [--jobs 2] [--repeats 3]
    .venv/bin/python benchmarks/grading.py --commands-only [--repeats 5]
    .venv/bin/python benchmarks/grading.py --limit-only [--repeats 3]

Builds a course with N synthetic students for every assignment (answers drawn from the test
bank: right, wrong and blank), then grades fresh copies of it, each configuration once per
round, the order rotating from round to round after an untimed warm-up:

- stock nbgrader: ``nbgrader autograde <id>`` one assignment after another, with a plain
  ``nbgrader_config.py`` (no trusted grading, no sandbox): the first baseline;
- the course's configuration with plain sequential ``nbgrader autograde``: the second baseline;
- ``course autograde --jobs N``, with the sandbox and with ``--no-sandbox``.

Every run must exit 0 and every configuration must give the same score for every test cell of
every notebook. Then the commands a learner types: ``course --help``, ``course progress``,
``course grade`` of a solved notebook, against ``python -c pass`` and a bare kernel start; and
the limit a graded notebook's cost approaches: each solved notebook's own cells, after its
imports, in a kernel already up (``--limit-only`` prints the commands and this alone).
Figures, not a test: nothing here fails on time; it exits 1 when a run fails or scores differ.
"""

import argparse
import asyncio
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import nbformat
from jupyter_client.manager import AsyncKernelManager
from nbgrader.api import Gradebook

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

from bank import BANK  # noqa: E402
from contract import CONTRACT, MANUAL  # noqa: E402
from helpers import fill, make_course, solutions, submit  # noqa: E402

from course.grader import sandbox  # noqa: E402

BIN = str(Path(sys.executable).parent)
ENV = dict(os.environ, PATH=BIN + os.pathsep + os.environ.get("PATH", ""))
STOCK_CONFIG = 'c = get_config()  # noqa: F821\nc.CourseDirectory.course_id = "stock"\n'


def build_class(root, students):
    """Submit ``students`` synthetic submissions of every assignment into the course at root."""
    for assignment_id, exercises in CONTRACT.items():
        release = nbformat.read(root / "release" / assignment_id / f"{assignment_id}.ipynb", 4)
        for k in range(students):
            answers = {}
            for exercise in exercises:
                if exercise in MANUAL or k % 3 == 2:  # every third student hands in blanks
                    continue
                variants = BANK[exercise]
                answers[exercise] = variants[k % len(variants)][1]
            submit(root, f"student{k:03d}", assignment_id, fill(release, answers))


def cell_scores(root):
    """{(student, assignment, grade cell): score} from a course's gradebook."""
    with Gradebook(f"sqlite:///{root / 'gradebook.db'}") as gb:
        return {
            (s.student.id, s.assignment.name, g.name): g.score
            for a in gb.assignments
            for s in a.submissions
            for n in s.notebooks
            for g in n.grades
        }


def run(command, cwd=None, env=None):
    """Run a command; return (wall seconds, exit code)."""
    start = time.perf_counter()
    result = subprocess.run(command, cwd=cwd, env=env or ENV, capture_output=True, check=False)
    return time.perf_counter() - start, result.returncode


def fresh_copy(template, target, stock=False):
    """A copy of the course ``template`` whose gradebook holds the assignments, nothing graded."""
    if target.exists():
        shutil.rmtree(target)
    shutil.copytree(template, target)
    if stock:
        (target / "nbgrader_config.py").write_text(STOCK_CONFIG)
        env = dict(ENV, COURSE_NO_SANDBOX="1")
        for assignment_id in CONTRACT:
            subprocess.run(
                [
                    sys.executable,
                    "-m",
                    "nbgrader",
                    "generate_assignment",
                    assignment_id,
                    "--force",
                    "--create",
                ],
                cwd=target,
                env=env,
                capture_output=True,
                check=True,
            )
    return target


def configurations(jobs):
    """{name: (function(course) -> (seconds, exit code), stock config?)}."""

    def sequential(course, env=None):
        total, codes = 0.0, 0
        for assignment_id in CONTRACT:
            seconds, code = run(
                [sys.executable, "-m", "nbgrader", "autograde", assignment_id, "--force"],
                cwd=course,
                env=env,
            )
            total, codes = total + seconds, codes or code
        return total, codes

    def course_jobs(*options):
        command = [sys.executable, "-m", "course", "autograde", "--jobs", str(jobs), *options]
        return lambda course: run(command, env=dict(ENV, COURSE_ROOT=str(course)))

    return {
        "stock nbgrader, sequential": (sequential, True),
        "course config, nbgrader sequential": (sequential, False),
        f"course autograde --jobs {jobs}": (course_jobs(), False),
        f"course autograde --jobs {jobs} --no-sandbox": (course_jobs("--no-sandbox"), False),
    }


async def kernel_start():
    """Seconds to start a python3 kernel, wait until it answers, and shut it down."""
    start = time.perf_counter()
    with tempfile.TemporaryDirectory() as sockets:  # IPC, as the graders: no port, no warning
        manager = AsyncKernelManager(kernel_name="python3", transport="ipc", ip=f"{sockets}/k")
        await manager.start_kernel()
        client = manager.client()
        client.start_channels()
        await client.wait_for_ready(timeout=60)
        client.stop_channels()
        await manager.shutdown_kernel(now=True)
    return time.perf_counter() - start


def own_work(assignment_id):
    """Seconds a solved notebook's cells take after its import cell, in a kernel already up and
    past its imports: the notebook's own work, the floor a graded notebook's cost approaches."""
    from jupyter_client.manager import KernelManager

    source = nbformat.read(ROOT / "source" / assignment_id / f"{assignment_id}.ipynb", 4)
    cells = [c.source for c in source.cells if c.cell_type == "code"]
    with tempfile.TemporaryDirectory() as sockets:
        manager = KernelManager(kernel_name="python3", transport="ipc", ip=f"{sockets}/k")
        folder = ROOT / "source" / assignment_id
        manager.start_kernel(env=dict(ENV, MPLBACKEND="agg"), cwd=str(folder))
        client = manager.client()
        client.start_channels()
        try:
            client.wait_for_ready(timeout=60)
            client.execute_interactive(cells[0], timeout=120)  # the imports, untimed
            start = time.perf_counter()
            for code in cells[1:]:
                client.execute_interactive(code, timeout=300, output_hook=lambda _: None)
            return time.perf_counter() - start
        finally:
            client.stop_channels()
            manager.shutdown_kernel(now=True)


def print_own_work(repeats, bare):
    """Print each notebook's own work (median of ``repeats``), in seconds and bare kernel starts."""
    print("the limit: each solved notebook's cells after its imports, in a warm kernel (median):")
    medians = []
    for assignment_id in CONTRACT:
        median = statistics.median(own_work(assignment_id) for _ in range(repeats))
        medians.append(median)
        print(f"  {assignment_id:28s} {median:6.2f} s  {median / bare:5.2f} bare kernel starts")
    mean = statistics.mean(medians)
    print(f"  {'mean per notebook':28s} {mean:6.2f} s  {mean / bare:5.2f} bare kernel starts")


def figure(samples):
    """'median s (min-max)' of a list of seconds."""
    return f"{statistics.median(samples):7.2f} s ({min(samples):.2f}-{max(samples):.2f})"


def commands(tmp, repeats):
    """{name: [seconds]} for the learner's commands and their baselines."""
    workspace = Path(tmp) / "workspace"
    env = dict(ENV, COURSE_WORKSPACE=str(workspace), COURSE_CACHE=str(Path(tmp) / "cache"))
    subprocess.run([sys.executable, "-m", "course", "start"], env=env, capture_output=True)
    notebook = workspace / "03_mse_loss" / "03_mse_loss.ipynb"
    source = nbformat.read(ROOT / "source" / "03_mse_loss" / "03_mse_loss.ipynb", 4)
    nbformat.write(fill(nbformat.read(notebook, 4), solutions(source)), notebook)
    course = [sys.executable, "-m", "course"]
    runs = {
        "python -c pass": [sys.executable, "-c", "pass"],
        "course --help": [*course, "--help"],
        "course progress": [*course, "progress"],
        "course grade (solved 03)": [*course, "grade", str(notebook)],
    }
    run(runs["course grade (solved 03)"], env=env)  # warm-up: builds the answer key
    found = {name: [] for name in [*runs, "bare kernel start + shutdown"]}
    for _ in range(repeats):
        for name, command in runs.items():
            seconds, code = run(command, env=env)
            if code not in (0, 1):
                raise SystemExit(f"{name} failed with exit code {code}")
            found[name].append(seconds)
        found["bare kernel start + shutdown"].append(asyncio.run(kernel_start()))
    return found


def print_commands(learner):
    """Print the commands' figures against a bare kernel start; return the kernel's median."""
    bare = statistics.median(learner["bare kernel start + shutdown"])
    print("commands (median, min-max):")
    for name, samples in learner.items():
        print(
            f"  {name:42s} {figure(samples)}  {statistics.median(samples) / bare:5.2f} bare kernels"
        )
    return bare


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--students", type=int, default=4)
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument(
        "--commands-only", action="store_true", help="the learner's commands, not a class"
    )
    parser.add_argument(
        "--limit-only", action="store_true", help="the notebooks' own work in a warm kernel"
    )
    args = parser.parse_args()
    if args.commands_only or args.limit_only:
        with tempfile.TemporaryDirectory(prefix="bench-") as tmp:
            bare = print_commands(commands(tmp, max(args.repeats, 5)))
        if args.limit_only:
            print_own_work(args.repeats, bare)
        return 0
    notebooks = args.students * len(CONTRACT)
    configs = configurations(args.jobs)
    times = {name: [] for name in configs}
    failures, disagreements = [], []
    with tempfile.TemporaryDirectory(prefix="bench-") as tmp:
        template = make_course(Path(tmp) / "template", list(CONTRACT))
        build_class(template, args.students)
        warm = fresh_copy(template, Path(tmp) / "warm")
        configs[f"course autograde --jobs {args.jobs}"][0](warm)  # untimed warm-up
        reference = None
        for round_ in range(args.repeats):
            names = list(configs)
            names = names[round_ % len(names) :] + names[: round_ % len(names)]
            for name in names:
                grade, stock = configs[name]
                course = fresh_copy(template, Path(tmp) / "run", stock=stock)
                seconds, code = grade(course)
                times[name].append(seconds)
                if code:
                    failures.append(f"{name}, round {round_ + 1}: exit code {code}")
                found = cell_scores(course)
                reference = reference or found
                if found != reference:
                    differ = sorted(
                        k
                        for k in reference.keys() | found.keys()
                        if reference.get(k) != found.get(k)
                    )
                    disagreements.append(f"{name}: {len(differ)} cells differ, e.g. {differ[:3]}")
        learner = commands(tmp, max(args.repeats, 5))

    stock = statistics.median(times["stock nbgrader, sequential"])
    own = statistics.median(times["course config, nbgrader sequential"])
    state = "on" if sandbox.enabled() else f"OFF ({sandbox.available()})"
    print(
        f"class: {args.students} students x {len(CONTRACT)} notebooks = {notebooks} notebooks, "
        f"{os.cpu_count()} cores, sandbox {state}, {args.repeats} rounds (median, min-max)"
    )
    for name, samples in times.items():
        median = statistics.median(samples)
        print(
            f"  {name:42s} {figure(samples)}  {median / notebooks:5.2f} s/notebook  "
            f"x{stock / median:4.2f} vs stock  x{own / median:4.2f} vs course sequential"
        )
    print(
        f"scores per test cell agree across configurations: {'yes' if not disagreements else 'NO'}"
        f" ({len(reference or {})} cells)"
    )
    for line in failures + disagreements:
        print(f"  {line}")
    bare = print_commands(learner)
    per_notebook = statistics.median(times[f"course autograde --jobs {args.jobs}"]) / notebooks
    print(
        f"graded notebook, course autograde --jobs {args.jobs}: {per_notebook:.2f} s of wall time "
        f"= {per_notebook * args.jobs / bare:.2f} bare kernel starts of one worker"
    )
    print_own_work(args.repeats, bare)
    return 1 if failures or disagreements else 0


if __name__ == "__main__":
    sys.exit(main())
