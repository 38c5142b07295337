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
