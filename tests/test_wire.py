"""The wire between the grader and a student's kernel, served in an IPython shell as in a
kernel: a call reports the array arguments it changed in place (and only those), and a
function's source can be read, so that grading sees what the student's own notebook sees."""

import json

import numpy as np
from IPython.core.interactiveshell import InteractiveShell

from course.grader import wire


def ask(**request):
    return json.loads(wire.handle(json.dumps(request)))


def test_a_call_reports_the_arrays_it_changed_and_a_source_is_served():
    shell = InteractiveShell.instance()
    shell.run_cell(
        "def scale(a, w0=None):\n    a *= 2\n    return 1.0\n\n"
        "def keep(a, w0=None):\n    return float(a.sum())\n\n"
        "def fail(a):\n    a[0] = -1.0\n    raise ValueError('no')"
    )
    given = wire.encode([np.array([1.0, 2.0])])
    reply = ask(op="call", name="scale", args=given, kwargs=wire.encode({"w0": np.ones(2)}))
    assert reply["value"] == 1.0
    assert reply["changed"] == [[0, {"__ndarray__": [2.0, 4.0], "kind": "f"}]]
    reply = ask(op="call", name="keep", args=given, kwargs=wire.encode({"w0": np.ones(2)}))
    assert reply["value"] == 3.0 and reply["changed"] == []
    reply = ask(op="call", name="fail", args=given, kwargs=wire.encode({}))
    assert reply["raised"]["type"] == "ValueError"
    assert reply["changed"] == [[0, {"__ndarray__": [-1.0, 2.0], "kind": "f"}]]
    assert ask(op="source", name="keep")["value"].startswith("def keep(a, w0=None):")
    assert ask(op="source", name="nothing") == {"missing": True}
