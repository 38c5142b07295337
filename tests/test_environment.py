"""The pinned versions live in pyproject.toml; environment.yml must list the same."""

import re
import tomllib

from helpers import ROOT


def pins(lines):
    return dict(
        re.match(r"^\s*-?\s*([A-Za-z0-9_.-]+)\s*==?\s*([^\s#]+)", line).groups()
        for line in lines
        if re.match(r"^\s*-?\s*[A-Za-z0-9_.-]+\s*==?\s*\d", line)
    )


def test_environment_yml_mirrors_the_pip_pins():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    wanted = pins(project["dependencies"] + project["optional-dependencies"]["test"])
    listed = pins((ROOT / "environment.yml").read_text().splitlines())
    listed.pop("python", None)
    assert wanted and {k.lower(): v for k, v in listed.items()} == {
        k.lower(): v for k, v in wanted.items()
    }


def test_make_test_passes_pytest_arguments():
    import subprocess

    def pytest_line(*settings):
        result = subprocess.run(
            ["make", "-n", "test", *settings], cwd=ROOT, capture_output=True, text=True, check=True
        )
        return next(line for line in result.stdout.splitlines() if "bin/pytest" in line)

    options = "--dist loadfile --no-loadscope-reorder"
    line = pytest_line("PYTEST_ARGS=-m 'not browser' -x")
    assert line.endswith(f"bin/pytest -n 2 {options} -m 'not browser' -x"), line
    line = pytest_line("PYTEST_JOBS=0")
    assert line.endswith(f"bin/pytest -n 0 {options} "), line


def test_installing_the_course_prints_no_warning():
    """`make setup` runs pip quietly: setuptools must have nothing to warn about (it printed ~40
    lines when a data folder was not a listed package)."""
    import subprocess
    import sys

    result = subprocess.run(
        [sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", "-e", "."],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    own = [line for line in result.stderr.splitlines() if "Location 'file:" not in line]
    assert not [line for line in own if line.strip()], "\n".join(own[:20])
