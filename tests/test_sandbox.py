"""The grading sandbox: an attacking submission cannot read or rewrite the gradebook, write
outside its folder, see other students, reach the network or take the machine's memory; it is
still graded on its merits, and a classmate graded after it is graded as usual. The same attack
run without the sandbox succeeds, so the attack is real and the sandbox is what stops it. Each
is shown for a kernel started cold and for one forked from the student's warm parent (the
attacker then hands in a second notebook, graded first)."""

import json
import os
import socket
import subprocess
import sys
import threading

import nbformat
import pytest
from bank import BANK
from helpers import fill, make_course, require_sandbox, run_course, scores, solutions, submit
from nbgrader.api import Gradebook

ASSIGNMENT = "03_mse_loss"
EXERCISES = ["loss_by_hand", "mse"]
FIRST = "01_matrix_multiplication"
"""The attacker's second notebook, graded before the attack: its kernel is then warm."""
WARM_PARENT = "course.grader.warmparent"

ATTACK = """
import json, os, pathlib, socket, sqlite3
root = pathlib.Path({root!r})
seen = {{}}
def attempt(name, action):
    try:
        seen[name] = repr(action())[:80]
    except BaseException as error:
        seen[name] = "blocked: " + type(error).__name__ + ": " + str(error)[:80]
attempt("read_gradebook", lambda: len((root / "gradebook.db").read_bytes()))
REWRITE = "UPDATE grade_cells SET max_score = 0; UPDATE source_cell SET source = 'pass';"
attempt("rewrite_tests", lambda: sqlite3.connect(str(root / "gradebook.db"), timeout=20)
        .executescript(REWRITE))
attempt("write_outside", lambda: (root / "pwned.txt").write_text("pwned"))
attempt("read_source", lambda: "BEGIN HIDDEN TESTS" in (
    root / "source" / "{assignment}" / "{assignment}.ipynb").read_text())
attempt("read_graded_notebook", lambda: pathlib.Path("{assignment}.ipynb").read_text()
        .index("BEGIN HIDDEN TESTS"))
attempt("list_students", lambda: sorted(os.listdir(root / "submitted")))
attempt("connect", lambda: socket.create_connection(("127.0.0.1", {port}), timeout=3).close())
attempt("allocate", lambda: __import__("numpy").empty(6 * 1024 ** 3, dtype="uint8").size)
parent = pathlib.Path(f"/proc/{{os.getppid()}}/cmdline").read_bytes()
seen["parent"] = parent.decode().replace(chr(0), " ")
pathlib.Path("attack.json").write_text(json.dumps(seen))
loss_by_hand = 0.0633
"""


class Listener:
    """A TCP listener on 127.0.0.1 that counts the connections it accepts."""

    def __init__(self):
        self.server = socket.create_server(("127.0.0.1", 0))
        self.server.settimeout(0.5)
        self.port = self.server.getsockname()[1]
        self.connections = 0
        self.running = True
        self.thread = threading.Thread(target=self.serve, daemon=True)
        self.thread.start()

    def serve(self):
        while self.running:
            try:
                connection, _ = self.server.accept()
            except TimeoutError:
                continue
            self.connections += 1
            connection.close()

    def close(self):
        self.running = False
        self.thread.join()
        self.server.close()


def hidden_tests(root):
    with Gradebook(f"sqlite:///{root / 'gradebook.db'}") as gb:
        notebook = gb.find_notebook(ASSIGNMENT, ASSIGNMENT)
        return sorted((c.name, c.source) for c in notebook.source_cells), sorted(
            (c.name, c.max_score) for c in notebook.grade_cells
        )


def grade_attack(tmp_path, sandboxed, warm):
    """Grade an attacker and, after it, a classmate; return what each saw and scored. ``warm``:
    the attacker hands in a second notebook too, so that their kernels are forked warm."""
    root = make_course(tmp_path / "course", [FIRST, ASSIGNMENT])
    if warm:
        first = nbformat.read(root / "release" / FIRST / f"{FIRST}.ipynb", 4)
        answers = solutions(nbformat.read(root / "source" / FIRST / f"{FIRST}.ipynb", 4))
        submit(root, "attacker", FIRST, fill(first, answers))
    release = nbformat.read(root / "release" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb", 4)
    right = solutions(nbformat.read(root / "source" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb", 4))
    listener = Listener()
    attack = ATTACK.format(root=str(root), port=listener.port, assignment=ASSIGNMENT)
    submit(root, "attacker", ASSIGNMENT, fill(release, {**right, "loss_by_hand": attack}))
    sums = next(code for label, code, _ in BANK["mse"] if label == "sum")
    submit(root, "classmate", ASSIGNMENT, fill(release, {**right, "mse": sums}))
    tests_before = hidden_tests(root)
    options = [] if sandboxed else ["--no-sandbox"]
    graded = [FIRST, ASSIGNMENT] if warm else [ASSIGNMENT]
    result = run_course("autograde", *graded, "--jobs", "1", *options, COURSE_ROOT=root)
    listener.close()
    seen = json.loads((root / "autograded" / "attacker" / ASSIGNMENT / "attack.json").read_text())
    return {
        "result": result,
        "seen": seen,
        "connections": listener.connections,
        "pwned": (root / "pwned.txt").exists(),
        "tests_kept": hidden_tests(root) == tests_before,
        "attacker": scores(root, ASSIGNMENT, "attacker", EXERCISES),
        "classmate": scores(root, ASSIGNMENT, "classmate", EXERCISES),
    }


@pytest.fixture(scope="module")
def needs_sandbox():
    require_sandbox()


ATTEMPTS = (
    "read_gradebook",
    "rewrite_tests",
    "write_outside",
    "read_source",
    "read_graded_notebook",
    "list_students",
    "connect",
    "allocate",
)


@pytest.mark.parametrize("start", ["cold", "warm"])
def test_the_sandbox_stops_the_attack_and_grading_goes_on(tmp_path, needs_sandbox, start):
    run = grade_attack(tmp_path, sandboxed=True, warm=start == "warm")
    assert run["result"].returncode == 0, run["result"].stdout + run["result"].stderr
    seen = run["seen"]
    assert (WARM_PARENT in seen["parent"]) is (start == "warm"), seen["parent"]
    for attempt in ATTEMPTS:
        assert seen[attempt].startswith("blocked"), (attempt, seen[attempt])
    assert run["connections"] == 0 and not run["pwned"] and run["tests_kept"]
    assert run["attacker"]["loss_by_hand"] == (3.0, 3.0)  # graded on its merits
    assert run["attacker"]["mse"] == (5.0, 5.0)
    assert run["classmate"]["mse"][0] < run["classmate"]["mse"][1]
    assert run["classmate"]["loss_by_hand"] == (3.0, 3.0)


@pytest.mark.parametrize("start", ["cold", "warm"])
def test_without_the_sandbox_the_same_attack_succeeds(tmp_path, needs_sandbox, start):
    """Each attempt the sandbox blocks is real: without it, every one succeeds."""
    run = grade_attack(tmp_path, sandboxed=False, warm=start == "warm")
    seen = run["seen"]
    assert (WARM_PARENT in seen["parent"]) is (start == "warm"), seen["parent"]
    for attempt in ATTEMPTS:
        assert not seen[attempt].startswith("blocked"), (attempt, seen[attempt])
    assert seen["allocate"] == repr(6 * 1024**3)  # reserved, untouched; the sandbox allows 4 GiB
    assert seen["read_source"] == "True"  # the hidden tests, in the instructor's source
    assert run["pwned"] and "classmate" in seen["list_students"]
    assert run["connections"] == 1
    assert not run["tests_kept"]  # it rewrote the hidden tests in the gradebook


def test_the_sandbox_grades_with_a_python_environment_under_tmp(tmp_path, needs_sandbox):
    """The sandbox's private /tmp must not hide the interpreter: an environment reached
    through /tmp (here a link to this one) grades as usual."""
    environment = tmp_path / "env"
    environment.symlink_to(sys.prefix)
    python = environment / "bin" / "python"
    assignment = "01_matrix_multiplication"
    root = make_course(tmp_path / "course", [assignment])
    release = nbformat.read(root / "release" / assignment / f"{assignment}.ipynb", 4)
    right = solutions(nbformat.read(root / "source" / assignment / f"{assignment}.ipynb", 4))
    submit(root, "student", assignment, fill(release, right))
    env = dict(os.environ, COURSE_ROOT=str(root), PATH=f"{environment}/bin:{os.environ['PATH']}")
    result = subprocess.run(
        [str(python), "-m", "course", "autograde", "--jobs", "1"],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    points = scores(root, assignment, "student", ["matmul_shape", "dot", "matmul", "outer"])
    assert all(score == maximum > 0 for score, maximum in points.values()), points
