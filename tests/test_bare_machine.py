"""A machine without bubblewrap and chromium (no root to install them): the tests that need them
are skipped with a one-line reason naming the package, never errors; the graders refuse to run
students' code unsandboxed, in one line, and grade it when told to on purpose."""

import os
import subprocess
import sys

import nbformat
from helpers import BIN, ROOT, fill, make_course, solutions, submit

HIDDEN_TOOLS = {"bwrap", "chromium"}


def bare_path(tmp_path):
    """A PATH like this machine's, without bubblewrap and chromium: the environment's scripts,
    then a folder of links to every other program of the system's folders."""
    folder = tmp_path / "bin"
    folder.mkdir()
    for directory in os.environ["PATH"].split(os.pathsep):
        if not os.path.isdir(directory) or directory == BIN:
            continue
        for name in os.listdir(directory):
            target = os.path.join(directory, name)
            link = folder / name
            if name not in HIDDEN_TOOLS and not link.exists() and os.access(target, os.X_OK):
                link.symlink_to(target)
    return BIN + os.pathsep + str(folder)


def bare_env(tmp_path, **extra):
    env = {k: v for k, v in os.environ.items() if k != "CI"}
    return dict(env, PATH=bare_path(tmp_path), **extra)


def test_tests_needing_missing_tools_skip_with_the_package_to_install(tmp_path):
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-q",
            "-rs",
            "-p",
            "no:cacheprovider",
            "tests/test_sandbox.py",
            "tests/test_browser.py",
            "tests/test_report.py::test_an_instructor_grades_a_written_answer_in_formgrader",
        ],
        cwd=ROOT,
        env=bare_env(tmp_path),
        capture_output=True,
        text=True,
        timeout=300,
    )
    out = result.stdout
    assert result.returncode == 0, out[-3000:]
    assert " error" not in out and " failed" not in out, out[-3000:]
    skips = [line for line in out.splitlines() if line.startswith("SKIPPED")]
    assert skips, out[-3000:]
    assert any("apt-get install bubblewrap" in line for line in skips), skips
    assert any("apt-get install chromium" in line for line in skips), skips
    assert "passed" not in out.splitlines()[-1], out.splitlines()[-1]


def test_under_ci_a_missing_tool_fails_instead_of_skipping(tmp_path):
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "tests/test_sandbox.py"],
        cwd=ROOT,
        env=bare_env(tmp_path, CI="true"),
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode != 0
    assert "CI must run this test" in result.stdout, result.stdout[-3000:]


def test_graders_refuse_to_run_students_code_without_the_sandbox(tmp_path):
    assignment = "01_matrix_multiplication"
    root = make_course(tmp_path / "course", [assignment])
    release = nbformat.read(root / "release" / assignment / f"{assignment}.ipynb", 4)
    source = nbformat.read(root / "source" / assignment / f"{assignment}.ipynb", 4)
    submit(root, "student", assignment, fill(release, solutions(source)))
    env = bare_env(tmp_path, COURSE_ROOT=str(root))

    def run(*command, **more):
        return subprocess.run(
            command, cwd=root, env=dict(env, **more), capture_output=True, text=True, timeout=300
        )

    course = run(sys.executable, "-m", "course", "autograde")
    assert course.returncode == 2
    assert course.stderr.strip().splitlines() == [course.stderr.strip()], course.stderr
    assert "refusing to run students' code without the sandbox" in course.stderr
    assert "apt-get install bubblewrap" in course.stderr and "--no-sandbox" in course.stderr
    plain = run(sys.executable, "-m", "nbgrader", "autograde", assignment)
    assert plain.returncode != 0
    assert plain.stderr.strip().splitlines() == [plain.stderr.strip()], plain.stderr
    assert "refusing to run students' code without the sandbox" in plain.stderr
    assert not (root / "autograded").exists()

    learner = run(sys.executable, "-m", "course", "grade", str(tmp_path / "notes.txt"))
    assert learner.returncode == 2  # a learner needs no sandbox: the one line is about the file
    assert learner.stderr.strip().splitlines() == [learner.stderr.strip()], learner.stderr
    assert "sandbox" not in learner.stderr

    on_purpose = run(sys.executable, "-m", "course", "autograde", "--no-sandbox")
    assert on_purpose.returncode == 0, on_purpose.stdout + on_purpose.stderr
    assert "warning" not in on_purpose.stderr.lower()
    assert (root / "autograded" / "student" / assignment / f"{assignment}.ipynb").is_file()


def test_a_bubblewrap_that_cannot_build_the_sandbox_is_named_with_its_own_reason(tmp_path):
    root = make_course(tmp_path / "course", ["01_matrix_multiplication"])
    env = bare_env(tmp_path, COURSE_ROOT=str(root))
    fake = tmp_path / "bin" / "bwrap"  # installed, but refused by the kernel, as in a container
    fake.write_text("#!/bin/sh\necho 'bwrap: No permissions to create new namespace' >&2\nexit 1\n")
    fake.chmod(0o755)
    course = subprocess.run(
        [sys.executable, "-m", "course", "autograde"],
        cwd=root, env=env, capture_output=True, text=True, timeout=300,
    )
    assert course.returncode == 2
    assert course.stderr == (
        "course autograde: refusing to run students' code without the sandbox: bubblewrap is "
        "installed but could not build the sandbox here: bwrap: No permissions to create new "
        "namespace; pass --no-sandbox (COURSE_NO_SANDBOX=1) to grade without it on purpose\n"
    ), course.stderr
