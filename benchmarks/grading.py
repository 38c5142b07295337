"""Benchmark: grading a synthetic class, plain sequential nbgrader vs. course autograde --jobs N.

    .venv/bin/python benchmarks/grading.py [--students 6] [--jobs 2]

Builds two identical copies of the course with N synthetic students for all five notebooks
(answers drawn from the test bank: right, wrong and blank), grades one copy with plain
`nbgrader autograde <id>` one assignment after another, and the other with `course autograde
--jobs N`, checks that every score agrees, and prints both wall times, their ratio, and the
cost per notebook against a bare kernel start. Figures, not a test: nothing here fails on time.
"""

import argparse
import asyncio
import os
import shutil
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
from helpers import fill, make_course, submit  # noqa: E402

from course.grader import sandbox  # noqa: E402

BIN = str(Path(sys.executable).parent)
ENV = dict(os.environ, PATH=BIN + os.pathsep + os.environ.get("PATH", ""))


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


def scores(root):
    """{(student, assignment): total score} from a course's gradebook."""
    with Gradebook(f"sqlite:///{root / 'gradebook.db'}") as gb:
        return {
            (s.student.id, s.assignment.name): s.score
            for a in gb.assignments
            for s in a.submissions
        }


def timed(command, cwd=None, env=None):
    """Run a command; return its wall time in seconds."""
    start = time.perf_counter()
    subprocess.run(command, cwd=cwd, env=env or ENV, capture_output=True, check=False)
    return time.perf_counter() - start


async def kernel_start(repeats=5):
    """Mean seconds to start a python3 kernel, wait until it answers, and shut it down."""
    total = 0.0
    for _ in range(repeats):
        start = time.perf_counter()
        manager = AsyncKernelManager(kernel_name="python3")
        await manager.start_kernel()
        client = manager.client()
        client.start_channels()
        await client.wait_for_ready(timeout=60)
        client.stop_channels()
        await manager.shutdown_kernel(now=True)
        total += time.perf_counter() - start
    return total / repeats


def fresh_copy(course, target):
    """A copy of ``course`` (with its class) whose gradebook nothing has graded yet."""
    shutil.copytree(course, target)
    (target / "gradebook.db").unlink()
    subprocess.run(
        [sys.executable, "-m", "course", "release"],
        capture_output=True,
        env=dict(ENV, COURSE_ROOT=str(target)),
        check=True,
    )
    return target


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--students", type=int, default=6)
    parser.add_argument("--jobs", type=int, default=2)
    args = parser.parse_args()
    ids = list(CONTRACT)
    notebooks = args.students * len(ids)
    with tempfile.TemporaryDirectory(prefix="bench-") as tmp:
        plain = make_course(Path(tmp) / "plain", ids)
        build_class(plain, args.students)
        parallel = fresh_copy(plain, Path(tmp) / "parallel")
        unsandboxed = fresh_copy(plain, Path(tmp) / "unsandboxed")

        sequential = sum(
            timed([sys.executable, "-m", "nbgrader", "autograde", a, "--force"], cwd=plain)
            for a in ids
        )
        command = [sys.executable, "-m", "course", "autograde", "--jobs", str(args.jobs)]
        jobs = timed(command, env=dict(ENV, COURSE_ROOT=str(parallel)))
        open_jobs = timed([*command, "--no-sandbox"], env=dict(ENV, COURSE_ROOT=str(unsandboxed)))

        found = [scores(plain), scores(parallel), scores(unsandboxed)]
        agree = found[0] == found[1] == found[2] and len(found[0]) == notebooks
        bare = asyncio.run(kernel_start())

    state = "on" if sandbox.available() is None else "NOT AVAILABLE: every run was unsandboxed"
    lines = [
        f"class: {args.students} students x {len(ids)} notebooks = {notebooks} notebooks, "
        f"{os.cpu_count()} cores, sandbox {state}",
        f"plain nbgrader autograde, sequential  : {sequential:7.1f} s "
        f"({sequential / notebooks:.2f} s per notebook)",
        f"course autograde --jobs {args.jobs}             : {jobs:7.1f} s "
        f"({jobs / notebooks:.2f} s per notebook)",
        f"speed-up                              : {sequential / jobs:7.2f} x",
        f"course autograde --jobs {args.jobs} --no-sandbox: {open_jobs:7.1f} s "
        f"({open_jobs / notebooks:.2f} s per notebook)",
        f"sandbox overhead per notebook         : {100 * (jobs - open_jobs) / open_jobs:+7.1f} %",
        f"bare kernel start + shutdown          : {bare:7.2f} s (plain grading costs "
        f"{sequential / notebooks / bare:.1f} kernel starts per notebook)",
        f"scores agree                          : {'yes' if agree else 'NO'} "
        f"({', '.join(str(len(f)) for f in found)} scores)",
    ]
    print("\n".join(lines))
    return 0 if agree else 1


if __name__ == "__main__":
    sys.exit(main())
