"""What crosses between the grader and a student's kernel: plain data, as JSON.

At grading, test cells run in the grader's own process (see :mod:`course.grader.grading`); they
reach the student's functions and variables through :func:`handle`, which runs in the student's
kernel. Only numbers, strings, lists, tuples, dicts and arrays cross, so an answer's rigged
methods never reach the grader, and nothing the student's code does in its kernel changes the
tests' own numpy, builtins or checks.
"""

import builtins
import inspect
import json

import numpy as np
from IPython import get_ipython

from course.checks import SourceFunction


def encode(value):
    """Turn ``value`` into JSON-able data; anything that is not data becomes a description."""
    if value is None or type(value) in (bool, int, str):
        return value
    if isinstance(value, float):
        return float.__float__(value)
    if isinstance(value, np.generic) and value.dtype.kind in "biuf":
        return encode(value.item())
    if isinstance(value, np.ndarray) and value.dtype.kind in "biuf":
        plain = np.array(value, subok=False)
        return {"__ndarray__": np.ndarray.tolist(plain), "kind": plain.dtype.kind}
    if isinstance(value, tuple):
        return {"__tuple__": [encode(v) for v in tuple.__iter__(value)]}
    if isinstance(value, list):
        return [encode(v) for v in list.__iter__(value)]
    if isinstance(value, dict):
        return {"__dict__": [[encode(k), encode(v)] for k, v in dict.items(value)]}
    if isinstance(value, SourceFunction):
        return {"__function__": value.source, "values": encode(value.values)}
    return {"__object__": type(value).__name__, "repr": _safe_repr(value)}


def _safe_repr(value):
    """The repr of ``value``, at most 200 characters, or a placeholder when repr fails."""
    try:
        return repr(value)[:200]
    except Exception:  # a student's object may fail to print itself
        return "<unprintable>"


def _safe_str(error):
    """The message of an exception, at most 500 characters, even when its ``__str__`` fails."""
    try:
        return str(error)[:500]
    except Exception:  # a student's exception may fail to print itself
        return ""


class Opaque:
    """An object of the student's that is not data, seen from the grader: its type and repr."""

    def __init__(self, type_name, text):
        self.type_name, self.text = type_name, text

    def __repr__(self):
        return f"<{self.type_name}: {self.text}>"


def decode(data):
    """Rebuild the value that :func:`encode` turned into ``data``."""
    if isinstance(data, list):
        return [decode(v) for v in data]
    if not isinstance(data, dict):
        return data
    if "__ndarray__" in data:
        kind = {"b": bool, "i": np.int64, "u": np.uint64}.get(data["kind"], np.float64)
        return np.array(data["__ndarray__"], dtype=kind)
    if "__tuple__" in data:
        return tuple(decode(v) for v in data["__tuple__"])
    if "__dict__" in data:
        return {decode(k): decode(v) for k, v in data["__dict__"]}
    if "__function__" in data:
        return SourceFunction(data["__function__"], **decode(data["values"]))
    return Opaque(data["__object__"], data["repr"])


def handle(request):
    """Serve one request of the grader in the student's kernel; return a JSON reply.

    ``{"op": "lookup", "name": N}`` tells whether the student defined N, and its value unless
    it is callable; ``{"op": "source", "name": N}`` returns the source text of the student's
    function N (None when it has none); ``{"op": "call", "name": N, "args": A, "kwargs": K}``
    calls the student's N and returns its result, or the exception it raised, and the arrays
    among the arguments that the call changed in place (``"changed"``: [[position or keyword,
    new value], ...]), so that the grader sees what a caller in the kernel would see.
    """
    request = json.loads(request)
    namespace = get_ipython().user_ns
    name = request["name"]
    if name not in namespace:
        return json.dumps({"missing": True})
    target = namespace[name]
    if request["op"] == "lookup":
        if callable(target):
            return json.dumps({"callable": True})
        return json.dumps({"value": encode(target)})
    if request["op"] == "source":
        return json.dumps({"value": _source(target)})
    args = decode(request["args"])
    kwargs = decode(request["kwargs"])
    given = list(enumerate(args)) + list(kwargs.items())
    before = [(key, value.copy()) for key, value in given if isinstance(value, np.ndarray)]
    try:
        result = target(*args, **kwargs)
    except BaseException as error:  # everything the student's code raises goes back as data
        return json.dumps(
            {
                "changed": _changed(before, args, kwargs),
                "raised": {
                    "type": type(error).__name__,
                    "bases": [
                        c.__name__
                        for c in type(error).__mro__
                        if getattr(builtins, c.__name__, None) is c
                    ],
                    "message": _safe_str(error),
                },
            }
        )
    return json.dumps({"value": encode(result), "changed": _changed(before, args, kwargs)})


def _source(function):
    """The source text of a student's function, or None when Python cannot find it."""
    try:
        return inspect.getsource(function)
    except (OSError, TypeError):
        return None


def _changed(before, args, kwargs):
    """[[position or keyword, new value], ...] for the array arguments a call changed in place."""
    changed = []
    for key, old in before:
        now = args[key] if isinstance(key, int) else kwargs[key]
        same = now.shape == old.shape and np.array_equal(now, old, equal_nan=now.dtype.kind == "f")
        if not same:
            changed.append([key, encode(now)])
    return changed
