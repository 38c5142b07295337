"""Benchmark: grading a class and the course's commands, as medians of rotating rounds.

    .venv/bin/python benchmarks/grading.py [--students 6] [--jobs 2] [--repeats 3]
    .venv/bin/python benchmarks/grading.py --bank [--repeats 1]
    .venv/bin/python benchmarks/grading.py --commands-only [--repeats 5]
    .venv/bin/python benchmarks/grading.py --limit-only [--repeats 3]

The class: N synthetic students handing in every assignment (answers drawn from the test bank:
right, wrong and blank) and two broken submissions (a notebook that is not JSON, one whose code
kills its kernel); with ``--bank``, the test suite's whole bank instead (every right answer,
mistake and cheat, the solution, a blank notebook, deleted and edited tests). Fresh copies of it
are graded, each configuration once per round, the order rotating from round to round after an
untimed warm-up:

- stock nbgrader: ``nbgrader autograde <id>`` one assignment after another, with a plain
  ``nbgrader_config.py`` (no trusted grading, no sandbox): the first baseline;
- the course's configuration with plain sequential ``nbgrader autograde`` (one cold kernel per
  notebook): the second baseline;
- ``course autograde --jobs N``, with and without the sandbox, each warm (a student's kernels
  forked from their warm parent) and ``--cold`` (every kernel started afresh, as before warm
  kernels).

Each run's wall time and the machine's CPU time meanwhile are measured (run nothing beside
it). Every configuration must give the same score for every test cell of every notebook graded
(stock nbgrader excepted on the bank's cheats, which it runs in the student's kernel, where they
succeed). Then the commands a learner types: ``course --help``, ``course progress``, ``course
grade`` of a solved notebook, against ``python -c pass`` and a bare kernel start; and the limit
a graded notebook's cost approaches: each solved notebook's own cells, after its imports, in a
kernel already up (``--limit-only`` prints the commands and this alone). Figures, not a test:
nothing here fails on time; it exits 1 when scores differ.
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

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

from bank import BANK  # noqa: E402
from contract import CONTRACT, MANUAL  # noqa: E402
from helpers import cell_scores, fill, make_course, solutions, submit  # noqa: E402
from test_pipeline import submit_bank  # noqa: E402

from course.grader import sandbox  # noqa: E402

BIN = str(Path(sys.executable).parent)
ENV = dict(os.environ, PATH=BIN + os.pathsep + os.environ.get("PATH", ""))
STOCK_CONFIG = 'c = get_config()  # noqa: F821\nc.CourseDirectory.course_id = "stock"\n'
STOCK = "stock nbgrader, sequential"
SEQUENTIAL = "course config, nbgrader sequential"
CHEAT = "a_cheat_"
"""The bank's cheating students' names begin so (tests/test_pipeline.py)."""
BROKEN = "broken_"
"""The broken submissions' students' names begin so."""


def build_class(root, students):
    """Submit ``students`` synthetic submissions of every assignment into the course at root,
    and two broken ones: a notebook that is not JSON, one whose code kills its kernel."""
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
    first = next(iter(CONTRACT))
    release = nbformat.read(root / "release" / first / f"{first}.ipynb", 4)
    submit(root, f"{BROKEN}json", first, release).write_text('{"cells": [ not json')
    killer = {CONTRACT[first][0]: "import os\nos.kill(os.getpid(), 9)"}
    submit(root, f"{BROKEN}kernel", first, fill(release, killer))


def machine_cpu():
    """CPU seconds the machine has spent working, all cores (from /proc/stat)."""
    fields = [int(f) for f in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    user, nice, system, _idle, _iowait, irq, softirq, steal = fields[:8]
    return (user + nice + system + irq + softirq + steal) / os.sysconf("SC_CLK_TCK")


def run(command, cwd=None, env=None):
    """Run a command; return (wall seconds, CPU seconds the machine spent meanwhile: every
    process the command started, sandboxed ones too; run nothing else beside it)."""
    before = machine_cpu()
    start = time.perf_counter()
    subprocess.run(command, cwd=cwd, env=env or ENV, capture_output=True, check=False)
    return time.perf_counter() - start, machine_cpu() - before


def fresh_copy(template, target, stock=False):
    """A copy of the course ``template`` whose gradebook holds the assignments, nothing graded."""
    if target.exists():
        shutil.rmtree(target)
    shutil.copytree(template, target)
    if stock:
        (target / "nbgrader_config.py").write_text(STOCK_CONFIG)
        env = dict(ENV, COURSE_NO_SANDBOX="1")
        for assignment_id in CONTRACT:
            command = ["generate_assignment", assignment_id, "--force", "--create"]
            subprocess.run(
                [sys.executable, "-m", "nbgrader", *command],
                cwd=target,
                env=env,
                capture_output=True,
                check=True,
            )
    return target


def configurations(jobs):
    """{name: (function(course) -> (wall, cpu), stock config?)}."""

    def sequential(course, env=None):
        wall, cpu = 0.0, 0.0
        for assignment_id in CONTRACT:
            seconds = run(
                [sys.executable, "-m", "nbgrader", "autograde", assignment_id, "--force"],
                cwd=course,
                env=env,
            )
            wall, cpu = wall + seconds[0], cpu + seconds[1]
        return wall, cpu

    def course_jobs(*options):
        command = [sys.executable, "-m", "course", "autograde", "--jobs", str(jobs), *options]
        return lambda course: run(command, env=dict(ENV, COURSE_ROOT=str(course)))

    autograde = f"course autograde --jobs {jobs}"
    return {
        STOCK: (sequential, True),
        SEQUENTIAL: (sequential, False),
        autograde: (course_jobs(), False),
        f"{autograde} --cold": (course_jobs("--cold"), False),
        f"{autograde} --no-sandbox": (course_jobs("--no-sandbox"), False),
        f"{autograde} --no-sandbox --cold": (course_jobs("--no-sandbox", "--cold"), False),
    }


async def kernel_start():
    """(wall seconds, the machine's CPU seconds) to start a python3 kernel, wait until it
    answers and shut it down."""
    cpu, start = machine_cpu(), time.perf_counter()
    with tempfile.TemporaryDirectory() as sockets:  # IPC, as the graders: no port, no warning
        manager = AsyncKernelManager(kernel_name="python3", transport="ipc", ip=f"{sockets}/k")
        await manager.start_kernel()
        client = manager.client()
        client.start_channels()
        await client.wait_for_ready(timeout=60)
        client.stop_channels()
        await manager.shutdown_kernel(now=True)
    return time.perf_counter() - start, machine_cpu() - cpu


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
    """Print each notebook's own work (median of ``repeats``), in seconds and bare kernel starts;
    return the mean."""
    print("the limit: each solved notebook's cells after its imports, in a warm kernel (median):")
    medians = []
    for assignment_id in CONTRACT:
        median = statistics.median(own_work(assignment_id) for _ in range(repeats))
        medians.append(median)
        print(f"  {assignment_id:28s} {median:6.2f} s  {median / bare:5.2f} bare kernel starts")
    mean = statistics.mean(medians)
    print(f"  {'mean per notebook':28s} {mean:6.2f} s  {mean / bare:5.2f} bare kernel starts")
    return mean


def figure(samples):
    """'median s (min-max)' of a list of seconds."""
    return f"{statistics.median(samples):7.2f} s ({min(samples):.2f}-{max(samples):.2f})"


def commands(tmp, repeats):
    """{name: [seconds]} for the learner's commands and their baselines, and a bare kernel
    start's CPU seconds."""
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
    kernel_cpu = []
    for _ in range(repeats):
        for name, command in runs.items():
            found[name].append(run(command, env=env)[0])
        wall, cpu = asyncio.run(kernel_start())
        found["bare kernel start + shutdown"].append(wall)
        kernel_cpu.append(cpu)
    return found, statistics.median(kernel_cpu)


def print_commands(learner):
    """Print the commands' figures against a bare kernel start; return the kernel's median."""
    bare = statistics.median(learner["bare kernel start + shutdown"])
    print("commands (median, min-max):")
    for name, samples in learner.items():
        print(
            f"  {name:42s} {figure(samples)}  {statistics.median(samples) / bare:5.2f} bare kernels"
        )
    return bare


def disagreements(reference, found, name):
    """The test cells whose score differs from the reference's, but the broken submissions'
    (which no configuration grades) and, for stock nbgrader, the cheats' (which it runs in the
    student's kernel, where they succeed)."""
    keys = {k for k in reference.keys() | found.keys() if not k[0].startswith(BROKEN)}
    if name == STOCK:
        keys = {k for k in keys if not k[0].startswith(CHEAT)}
    return sorted(k for k in keys if reference.get(k) != found.get(k))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--students", type=int, default=6)
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--bank", action="store_true", help="grade the test suite's whole bank")
    parser.add_argument(
        "--commands-only", action="store_true", help="the learner's commands, not a class"
    )
    parser.add_argument(
        "--limit-only", action="store_true", help="the notebooks' own work in a warm kernel"
    )
    args = parser.parse_args()
    if args.commands_only or args.limit_only:
        with tempfile.TemporaryDirectory(prefix="bench-") as tmp:
            bare = print_commands(commands(tmp, max(args.repeats, 5))[0])
        if args.limit_only:
            print_own_work(args.repeats, bare)
        return 0
    configs = configurations(args.jobs)
    times = {name: [] for name in configs}
    cpus = {name: [] for name in configs}
    problems = []
    with tempfile.TemporaryDirectory(prefix="bench-") as tmp:
        template = make_course(Path(tmp) / "template", list(CONTRACT))
        if args.bank:
            submit_bank(template)
        else:
            build_class(template, args.students)
        notebooks = len(list((template / "submitted").glob("*/*/*.ipynb")))
        warm = fresh_copy(template, Path(tmp) / "warm")
        configs[f"course autograde --jobs {args.jobs}"][0](warm)  # untimed warm-up
        reference = cell_scores(warm)
        for round_ in range(args.repeats):
            names = list(configs)
            names = names[round_ % len(names) :] + names[: round_ % len(names)]
            for name in names:
                grade, stock = configs[name]
                course = fresh_copy(template, Path(tmp) / "run", stock=stock)
                wall, cpu = grade(course)
                times[name].append(wall)
                cpus[name].append(cpu)
                differ = disagreements(reference, cell_scores(course), name)
                if differ:
                    problems.append(f"{name}: {len(differ)} cells differ, e.g. {differ[:3]}")
        learner, kernel_cpu = commands(tmp, max(args.repeats, 5))

    state = "on" if sandbox.enabled() else f"OFF ({sandbox.available()})"
    what = "the test bank" if args.bank else f"{args.students} students x {len(CONTRACT)}"
    print(
        f"class: {what} + broken = {notebooks} notebooks, {os.cpu_count()} cores, sandbox "
        f"{state}, {args.repeats} rounds (median, min-max)"
    )
    stock = statistics.median(times[STOCK])
    own = statistics.median(times[SEQUENTIAL])
    for name, samples in times.items():
        median = statistics.median(samples)
        cpu = statistics.median(cpus[name]) / notebooks
        print(
            f"  {name:46s} {figure(samples)}  x{stock / median:5.2f} vs stock  "
            f"x{own / median:5.2f} vs course sequential  {cpu:5.2f} s CPU/notebook"
        )
    print(
        f"scores per test cell agree across configurations: {'yes' if not problems else 'NO'} "
        f"({len(reference)} cells{', stock without the cheats' if args.bank else ''})"
    )
    for line in problems:
        print(f"  {line}")
    bare = print_commands(learner)
    print(f"bare kernel start: {bare:.2f} s wall, {kernel_cpu:.2f} s CPU")
    print("graded notebook, in bare kernel starts (a core's wall time; CPU of every process):")
    for name in configs:
        wall = statistics.median(times[name]) / notebooks
        cores = wall * (args.jobs if "--jobs" in name else 1)
        cpu = statistics.median(cpus[name]) / notebooks
        print(f"  {name:46s} {cores / bare:5.2f} of a core's time  {cpu / kernel_cpu:5.2f} of CPU")
    print_own_work(args.repeats, bare)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
