"""Fixtures of the test suite."""

import pytest
from helpers import make_course

from course.grader import paths


@pytest.fixture(scope="session")
def fresh_course(tmp_path_factory):
    """A copy of the course whose release/ and gradebook nbgrader generated from source/ now."""
    return make_course(tmp_path_factory.mktemp("course"), paths.assignments())


def pytest_terminal_summary(terminalreporter):
    """Print how long each source notebook took to run top to bottom in a fresh kernel."""
    from test_notebooks import TIMES

    if TIMES:
        terminalreporter.section("notebook run times (fresh kernel, top to bottom)")
        for assignment_id, seconds in sorted(TIMES.items()):
            terminalreporter.write_line(f"{assignment_id:28s} {seconds:5.2f} s")
