"""Fixtures of the test suite, and its rule that under CI nothing is skipped."""

import os
import shutil

import pytest
from browsing import FLAGS
from helpers import ROOT, make_course, require_tool, run_course, sandbox_off

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


@pytest.fixture(scope="module")
def browser():
    """Debian's chromium, headless, through Playwright (skipped, named, where it is missing)."""
    executable = require_tool("chromium", "chromium")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=executable, headless=True, args=FLAGS)
        yield chromium
        chromium.close()


SLOWEST_FIRST = (
    "test_browser.py",
    "test_pipeline.py",
    "test_report.py",
    "test_postable.py",
    "test_hub.py",
    "test_notebooks.py",
    "test_classgrade.py",
    "test_warm.py",
    "test_selfstudy.py",
    "test_student_seat.py",
    "test_sandbox.py",
)
"""The modules that take longest (from 105 s down to 25 s on 2 cores, in that order): pytest-xdist
hands out whole modules in collection order (the Makefile turns off its own reordering, by
number of tests), so these go first and the short ones fill in at the end, and the two
processes finish together."""


def pytest_collection_modifyitems(items):
    """Run the :data:`SLOWEST_FIRST` modules first, in that order; the rest keep theirs."""
    rank = {name: k for k, name in enumerate(SLOWEST_FIRST)}
    items.sort(key=lambda item: rank.get(item.path.name, len(rank)))


def pytest_terminal_summary(terminalreporter):
    """Print how long each source notebook took to run top to bottom in a fresh kernel (the
    ``seconds`` each run recorded; they reach this process from pytest-xdist's too)."""
    times = {
        report.nodeid.split("[")[-1].rstrip("]"): seconds
        for report in terminalreporter.stats.get("passed", [])
        if report.when == "call"
        for name, seconds in report.user_properties
        if name == "notebook seconds"
    }
    if times:
        terminalreporter.section("notebook run times (fresh kernel, top to bottom)")
        for assignment_id, seconds in sorted(times.items()):
            terminalreporter.write_line(f"{assignment_id:28s} {seconds:5.2f} s")


def pytest_sessionfinish(session, exitstatus):
    """Under CI (``CI`` set) a skipped test fails the run: CI must run every test."""
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    skipped = reporter.stats.get("skipped", []) if reporter else []
    if os.environ.get("CI") and skipped and exitstatus == 0:
        reporter.write_line(f"CI: {len(skipped)} test(s) skipped, which fails the run", red=True)
        session.exitstatus = 1
