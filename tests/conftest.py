"""Fixtures of the test suite, and its rule that under CI nothing is skipped."""

import os
import shutil

import pytest
from helpers import ROOT, make_course, run_course, sandbox_off

from course.grader import paths


@pytest.fixture(scope="session")
def fresh_course(tmp_path_factory):
    """A copy of the course whose release/ and gradebook nbgrader generated from source/ now."""
    return make_course(tmp_path_factory.mktemp("course"), paths.assignments())


@pytest.fixture(scope="session")
def graded_demo(tmp_path_factory):
    """A copy of the course with the demo class of submitted/, graded now by `course autograde`
    (a fresh clone has no gradebook: it is made by grading). Read it only; copy it to change it."""
    root = make_course(tmp_path_factory.mktemp("demo"), paths.assignments())
    shutil.copytree(ROOT / "submitted", root / "submitted")
    result = run_course("autograde", "--jobs", "2", COURSE_ROOT=root, **sandbox_off())
    assert result.returncode == 0, (result.stdout + result.stderr)[-3000:]
    return root


def pytest_terminal_summary(terminalreporter):
    """Print how long each source notebook took to run top to bottom in a fresh kernel."""
    from test_notebooks import TIMES

    if TIMES:
        terminalreporter.section("notebook run times (fresh kernel, top to bottom)")
        for assignment_id, seconds in sorted(TIMES.items()):
            terminalreporter.write_line(f"{assignment_id:28s} {seconds:5.2f} s")


def pytest_sessionfinish(session, exitstatus):
    """Under CI (``CI`` set) a skipped test fails the run: CI must run every test."""
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    skipped = reporter.stats.get("skipped", []) if reporter else []
    if os.environ.get("CI") and skipped and exitstatus == 0:
        reporter.write_line(f"CI: {len(skipped)} test(s) skipped, which fails the run", red=True)
        session.exitstatus = 1
