"""Warm grading kernels: a student's kernels are forked from a warm parent in their sandbox.

A kernel forked warm cannot reach its parent (read or write its memory, see its descriptors,
stop or kill it), and leaves nothing for the next kernel, the student's own or a classmate's: no
file in /tmp or /dev/shm, no IPython start-up file, no process left running, no changed module.
Unsandboxed, on purpose, the same attack reaches the parent and the machine's /tmp, so the
attack is real and the sandbox is what stops it; even then no fork crosses students. And warm
grading gives every notebook the status, reason, points and messages that cold grading gives,
for right and wrong answers and for notebooks that crash, exit their kernel, loop, leave a
process behind, write and remove files, or signal their parent."""

import json
import os
import secrets
from pathlib import Path

import nbformat
import psutil
import pytest
from bank import BANK
from helpers import (
    cell_scores,
    failure_messages,
    fill,
    make_course,
    require_sandbox,
    run_course,
    solutions,
    submit,
)

ONE, TWO = "01_matrix_multiplication", "03_mse_loss"
WARM_PARENT = "course.grader.warmparent"

# the kernels' code below: MARK's value is put in place of @MARK@
CMDLINES = """
def cmdlines():
    found = []
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            found.append(pathlib.Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\\0", b" ")
                         .decode(errors="replace"))
        except OSError:
            pass
    return found
"""

ATTACK = (
    """
import json, os, pathlib, struct, subprocess, sys
import numpy as np
MARK = @MARK@
"""
    + CMDLINES
    + """
seen = {}
def attempt(name, action):
    try:
        seen[name] = repr(action())[:80]
    except BaseException as error:
        seen[name] = "blocked: " + type(error).__name__
parent = os.getppid()
seen["parent"] = pathlib.Path(f"/proc/{parent}/cmdline").read_bytes().decode().replace("\\0", " ")
def poison():  # np.pi is at the same address in the parent, which forked this kernel
    with open(f"/proc/{parent}/mem", "r+b") as memory:
        memory.seek(id(np.pi) + 16)  # a float object's value
        memory.write(struct.pack("d", 3.0))
    return "written"
attempt("poison_parent", poison)
def links(pid):
    found = set()
    for n in os.listdir(f"/proc/{pid}/fd"):
        try:
            found.add(os.readlink(f"/proc/{pid}/fd/{n}"))
        except FileNotFoundError:  # the listing's own descriptor, closed since
            pass
    return found
attempt("parent_fds", lambda: sorted(links(parent)))
def shared_sockets():  # the parent's sockets (its control socket) that this kernel holds too
    return sorted(link for link in links(parent) & links("self") if link.startswith("socket:"))
attempt("shared_sockets", shared_sockets)
def leave(path):
    path.write_text("left")
    return path.read_text()
attempt("tmp_file", lambda: leave(pathlib.Path("/tmp") / MARK))
attempt("shm_file", lambda: leave(pathlib.Path("/dev/shm") / MARK))
if os.environ.get("HOME") == "/tmp":  # the sandbox's home; unsandboxed it is the machine's
    startup = pathlib.Path("/tmp/.ipython/profile_default/startup")
    startup.mkdir(parents=True, exist_ok=True)
    attempt("ipython_startup", lambda: leave(startup / "00-left.py"))
    (startup / "00-left.py").write_text(MARK.replace("-", "_") + " = True")
code = f"import time; time.sleep(300)  # {MARK}"
attempt("background", lambda: subprocess.Popen([sys.executable, "-c", code],
                                               start_new_session=True).pid)
for _ in range(100):  # until it shows its command line (it does once it has started)
    if any(MARK in line for line in cmdlines()):
        break
    __import__("time").sleep(0.05)
np.mean = lambda *args, **kwargs: 0.0  # this kernel's numpy only
seen["processes"] = cmdlines()
pathlib.Path("attack.json").write_text(json.dumps(seen))
"""
)

PROBE = (
    """
import gc, json, os, pathlib
import numpy as np
MARK = @MARK@
"""
    + CMDLINES
    + """
pathlib.Path("probe.json").write_text(json.dumps({
    "parent": pathlib.Path(f"/proc/{os.getppid()}/cmdline").read_bytes().decode(),
    "pi": float(np.pi),
    "mean": float(np.mean([1.0, 3.0])),
    "collects_garbage": gc.isenabled(),  # the parent collects none; a kernel does
    "tmp_file": (pathlib.Path("/tmp") / MARK).exists(),
    "shm_file": (pathlib.Path("/dev/shm") / MARK).exists(),
    "ipython_startup": MARK.replace("-", "_") in get_ipython().user_ns,
    "background": any(MARK in line for line in cmdlines()),
    "processes": cmdlines(),
}))
"""
)


def release_and_right(root, assignment_id):
    """The release notebook of ``assignment_id`` in ``root`` and its right answers."""
    folder = Path(root)
    release = nbformat.read(folder / "release" / assignment_id / f"{assignment_id}.ipynb", 4)
    source = nbformat.read(folder / "source" / assignment_id / f"{assignment_id}.ipynb", 4)
    return release, solutions(source)


def hand_in(root, student, assignment_id, **changed):
    """Submit ``student``'s notebook of ``assignment_id``: the right answers but ``changed``
    (exercise -> source)."""
    release, right = release_and_right(root, assignment_id)
    return submit(root, student, assignment_id, fill(release, {**right, **changed}))


def grade(root, *options, jobs=1):
    """``course autograde`` of both assignments (in one worker: the students in order); the
    finished process."""
    return run_course(
        "autograde", ONE, TWO, f"--jobs={jobs}", "--cell-timeout=2", *options, COURSE_ROOT=root
    )


def read(root, student, assignment_id, name):
    """The JSON file ``name`` a kernel left in a grading folder."""
    return json.loads((root / "autograded" / student / assignment_id / name).read_text())


def left_running(mark):
    """The processes of this machine whose command line holds ``mark``."""
    found = []
    for process in psutil.process_iter(["cmdline"]):
        if any(mark in part for part in process.info["cmdline"] or []):
            found.append(process.pid)
    return found


@pytest.fixture
def attacked(tmp_path):
    """A course where ``a_attacker``'s first notebook attacks its warm parent and leaves what
    it can; their second notebook and both of ``b_classmate``'s probe what is left. Returns
    ``(root, mark, grade)``: ``grade(*options)`` grades the class and returns its process."""
    mark = f"left-by-attacker-{secrets.token_hex(4)}"
    root = make_course(tmp_path / "course", [ONE, TWO])
    _, right = release_and_right(root, ONE)
    attack = ATTACK.replace("@MARK@", repr(mark)) + right["matmul_shape"]
    probe = PROBE.replace("@MARK@", repr(mark))
    hand_in(root, "a_attacker", ONE, matmul_shape=attack)
    hand_in(root, "a_attacker", TWO, mse=probe + release_and_right(root, TWO)[1]["mse"])
    hand_in(root, "b_classmate", ONE, dot=probe + right["dot"])
    hand_in(root, "b_classmate", TWO, mse=probe + release_and_right(root, TWO)[1]["mse"])
    sentinel = Path("/tmp") / f"{mark}-the-machines"
    sentinel.write_text("the machine's /tmp is left alone")
    yield root, mark, lambda *options: grade(root, *options)
    for leftover in (Path("/tmp") / mark, Path("/dev/shm") / mark, sentinel):
        leftover.unlink(missing_ok=True)
    for pid in left_running(mark):
        psutil.Process(pid).kill()


def probes(root):
    """What the attacker's second notebook and the classmate's two saw."""
    return {
        "own next": read(root, "a_attacker", TWO, "probe.json"),
        "classmate 1": read(root, "b_classmate", ONE, "probe.json"),
        "classmate 2": read(root, "b_classmate", TWO, "probe.json"),
    }


def test_a_warm_kernel_cannot_reach_its_parent_or_leave_anything_behind(attacked):
    require_sandbox()
    root, mark, grade_class = attacked
    result = grade_class()
    assert result.returncode == 0, result.stdout + result.stderr
    seen = read(root, "a_attacker", ONE, "attack.json")
    assert WARM_PARENT in seen["parent"], seen["parent"]  # forked warm, from its parent
    assert seen["poison_parent"].startswith("blocked"), seen["poison_parent"]
    assert seen["parent_fds"].startswith("blocked"), seen["parent_fds"]
    for left in ("tmp_file", "shm_file", "ipython_startup"):  # it could write each
        assert seen[left] == "'left'", (left, seen[left])
    assert not seen["background"].startswith("blocked")
    # it sees its own sandbox only: its parent, itself, its process; no grader, no classmate
    assert any(mark in line for line in seen["processes"])
    assert not any("course.grader.worker" in line for line in seen["processes"])
    assert len(seen["processes"]) <= 4, seen["processes"]
    for who, probe in probes(root).items():
        assert WARM_PARENT in probe["parent"], who
        assert probe["pi"] == 3.141592653589793 and probe["mean"] == 2.0, (who, probe)
        assert probe["collects_garbage"] is True, who
        for left in ("tmp_file", "shm_file", "ipython_startup", "background"):
            assert probe[left] is False, (who, left)
        assert not any(mark in line for line in probe["processes"]), who
    assert left_running(mark) == []
    assert (Path("/tmp") / f"{mark}-the-machines").exists()
    points = cell_scores(root)
    assert all(score == maximum for score, maximum in points.values()), points


def test_unsandboxed_the_attack_reaches_what_the_sandbox_keeps_but_no_classmate(attacked):
    """The same attack without the sandbox (on purpose): it writes its parent's memory (as
    root) and leaves a file in the machine's /tmp for the classmate, so each attempt the
    sandbox blocks is real; the classmate's kernels, forked from a parent of their own, still
    get numpy as it is, and the parent still removes what the kernel left running."""
    root, mark, grade_class = attacked
    result = grade_class("--no-sandbox")
    assert result.returncode == 0, result.stdout + result.stderr
    seen = read(root, "a_attacker", ONE, "attack.json")
    found = probes(root)
    assert WARM_PARENT in seen["parent"], seen["parent"]
    assert any("course.grader.worker" in line for line in seen["processes"])
    assert found["classmate 1"]["tmp_file"] and found["classmate 2"]["shm_file"]
    if os.geteuid() == 0:  # root may write another process's memory, a non-dumpable one too
        assert seen["poison_parent"] == "'written'", seen["poison_parent"]
        assert "socket:" in seen["parent_fds"]  # its control socket...
        assert seen["shared_sockets"] == "[]"  # ...which no kernel holds
        assert found["own next"]["pi"] == 3.0  # the parent was reached: its next fork has it
    for who in ("classmate 1", "classmate 2"):
        assert found[who]["pi"] == 3.141592653589793 and found[who]["mean"] == 2.0, who
        assert found[who]["background"] is False, who
    assert left_running(mark) == []
    assert (Path("/tmp") / f"{mark}-the-machines").exists()
    points = cell_scores(root)
    assert all(score == maximum for score, maximum in points.values()), points


LOOP = "def dot(u, v):\n    while True:\n        pass"
CRASH = "import os\nos.kill(os.getpid(), 9)"
EXIT = "import os\nos._exit(0)"
FORK = (
    "import subprocess, sys\n"
    "subprocess.Popen([sys.executable, '-c', 'import time; time.sleep(300)  # forked-{mark}'],"
    " start_new_session=True)\n"
)
FILES = (
    "import os, pathlib\n"
    "pathlib.Path('parent.txt').write_bytes(pathlib.Path(f'/proc/{os.getppid()}/cmdline').read_bytes())\n"
    "pathlib.Path('written.txt').write_text(pathlib.Path('data.txt').read_text().upper())\n"
    "pathlib.Path('remove-me.txt').unlink()\n"
    "pathlib.Path('made').mkdir()\n"
    "pathlib.Path('made', 'inside.txt').write_text('inside')\n"
)
SIGNALS = (
    "import os, signal\n"
    "for number in (signal.SIGSTOP, signal.SIGTERM, signal.SIGINT, signal.SIGKILL):\n"
    "    os.kill(os.getppid(), number)\n"
)


def graded_class(root):
    """What grading gave each notebook: {(student, assignment): (status, reason)}, the points
    of every test cell, the failure messages, the files each grading folder holds."""
    status = json.loads((root / "grading-status.json").read_text())
    outcomes = {
        (s, a): (entry["status"], entry["reason"])
        for s, by in status.items()
        for a, entry in by.items()
    }
    messages, files = {}, {}
    exercises = {ONE: ["matmul_shape", "dot", "matmul", "outer"], TWO: ["loss_by_hand", "mse"]}
    for (student, assignment_id), (state, _) in outcomes.items():
        folder = root / "autograded" / student / assignment_id
        files[student, assignment_id] = sorted(
            str(p.relative_to(folder)) for p in folder.rglob("*") if p.suffix != ".ipynb"
        )
        if state == "graded":
            found = failure_messages(root, assignment_id, student, exercises[assignment_id])
            messages[student, assignment_id] = found
    return outcomes, cell_scores(root), messages, files


def test_warm_and_cold_grading_agree(tmp_path):
    """The same class graded warm and cold, in the sandbox: right and wrong answers, a notebook
    that crashes its kernel, one that exits it, one that loops, and one that signals its parent,
    leaves a process running, writes a file, makes a folder and removes a file it was handed."""
    require_sandbox()
    mark = secrets.token_hex(4)
    runs = {}
    for start in ("warm", "cold"):
        root = make_course(tmp_path / start, [ONE, TWO])
        release, right = release_and_right(root, ONE)
        wrong_dot = next(code for label, code, ok in BANK["dot"] if not ok)
        sums = next(code for label, code, _ in BANK["mse"] if label == "sum")
        answers = {
            "busy": {
                "matmul_shape": SIGNALS + right["matmul_shape"],
                "matmul": FORK.format(mark=mark) + right["matmul"],
                "outer": FILES + right["outer"],
            },
            "crash": {"outer": CRASH},
            "exits": {"outer": EXIT},
            "loops": {"dot": LOOP},
            "wrong": {"dot": wrong_dot},
        }
        for student, changed in answers.items():
            path = hand_in(root, student, ONE, **changed)
            if student == "busy":
                (path.parent / "data.txt").write_text("shipped")
                (path.parent / "remove-me.txt").write_text("shipped")
            hand_in(root, student, TWO, **({"mse": sums} if student == "wrong" else {}))
        result = grade(root, *(["--cold"] if start == "cold" else []), jobs=2)
        assert result.returncode == 1, result.stdout + result.stderr  # the crash and the exit
        runs[start] = graded_class(root)
        assert left_running(f"forked-{mark}") == [], start
    warm, cold = runs["warm"], runs["cold"]
    assert warm[0] == cold[0]  # every notebook's status and reason
    assert warm[0]["crash", ONE][0] == "failed" and "kernel died" in warm[0]["crash", ONE][1]
    assert warm[0]["exits", ONE][0] == "failed"
    assert all(state == "graded" for (s, a), (state, _) in warm[0].items() if a == TWO)
    assert warm[1] == cold[1]  # every test cell's points
    assert warm[1]["busy", ONE, "test_outer_example"][0] > 0  # it was graded on its merits
    assert warm[2] == cold[2]  # every failure message
    assert "did not finish in time" in " ".join(warm[2]["loops", ONE]["dot"])
    assert warm[3] == cold[3]  # what each grading folder holds
    assert warm[3]["busy", ONE] == [
        "data.txt",
        "made",
        "made/inside.txt",
        "parent.txt",
        "written.txt",
    ]
    for start in ("warm", "cold"):
        folder = tmp_path / start / "autograded" / "busy" / ONE
        assert (folder / "written.txt").read_text() == "SHIPPED"
        assert (WARM_PARENT in (folder / "parent.txt").read_text()) is (start == "warm")
