"""Checks used by the notebooks' tests, with failure messages written for a student.

A test calls the student's function through :func:`call`, then compares what came back with
:func:`check_array`, :func:`check_scalar` or :func:`check_pair`, or checks an error with
:func:`check_raises`. A failure raises :class:`CheckError`, whose message says what is wrong
in the student's terms; a test may pass ``mistakes``, pairs of (the value a typical mistake
gives, what to tell the student), so that the message names the likely mistake.

Answers are read into plain ``float64`` arrays before any comparison, so an answer's own
``==``, ``<``, ``-`` or ``abs`` never take part; the functions used here are bound when the
module is imported, before a student's code runs. This module holds no reference answer: the
expected values come from the tests.
"""

import ast
import contextlib
import inspect
import re
import textwrap
import warnings

import numpy as np

_ndarray = np.ndarray
_array = np.array
_array2string = np.array2string
_errstate = np.errstate
_float64 = np.float64
_subtract, _absolute, _multiply, _add = np.subtract, np.absolute, np.multiply, np.add
_less_equal, _less, _all = np.less_equal, np.less, np.all
_array_equal = np.array_equal
_isinstance = isinstance
_len = len

RTOL = 1e-6
"""Relative tolerance of every comparison."""

ATOL = 1e-9
"""Absolute tolerance of every comparison."""

NOT_ANSWERED = "not answered yet"
WRONG_VALUE = "not the right value"
WRONG_SHAPE = "the wrong shape"
"""Mistakes a check names when the test names no particular one."""


WIDTH = 70
"""The longest line of a check's message: nbgrader's Validate indents it by 4 and puts
"CheckError: " before its first line, and cuts lines at 87 characters."""


class CheckError(AssertionError):
    """A failed check; its message is written for the student.

    ``mistake`` names the kind of mistake (a test's sentence for a typical mistake, or e.g.
    "not the right value"; the message itself when the test says nothing more); ``named`` is
    False when the check could only say that something is off (a wrong value no test foresaw, a
    crash), so that the class report counts a student under the mistakes a test did name.
    """

    def __init__(self, message, mistake=None, named=True):
        super().__init__(message)
        self.mistake = mistake or message
        self.named = named

    def __str__(self):
        """The message in lines of at most :data:`WIDTH` characters: nbgrader's Validate cuts a
        line at 87 characters (the words that name the mistake came after it), and its dialog
        shows each line whole, however long."""
        return "\n".join(
            textwrap.fill(part, WIDTH, break_long_words=False, break_on_hyphens=False)
            for part in super().__str__().split("\n")
        )


@contextlib.contextmanager
def _quiet():
    """Silence warnings: nbgrader counts any text on stderr in a test cell as a failure."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with _errstate(all="ignore"):
            yield


def show(value, digits=4):
    """Format a number or an array of numbers for a message, with ``digits`` significant digits:
    ``2.5``, ``[1, 2.5]``, ``[[1, 2], [3, 4]]``."""
    if _isinstance(value, _ndarray) and value.ndim > 0:
        with _quiet():
            text = _array2string(
                value,
                separator=", ",
                max_line_width=10**6,
                formatter={"float_kind": lambda x: _number(x, digits)},
            )
        return " ".join(text.split())
    try:
        return _number(float(value), digits)
    except (TypeError, ValueError):
        return repr(value)


def _number(x, digits):
    """One number with ``digits`` significant digits, whole numbers as ``14.0``."""
    text = f"{x:.{digits}g}"
    return text if any(c in text for c in ".en") else text + ".0"


def show_apart(got, expected):
    """``got`` and ``expected`` formatted with as few digits (4 to 15) as tell them apart."""
    for digits in (4, 6, 8, 10, 12, 15):
        shown = show(got, digits), show(expected, digits)
        if shown[0] != shown[1]:
            return shown
    return shown


def call(func, *args, name=None, **kwargs):
    """Call a student's function ``func(*args, **kwargs)`` and return its result.

    A stub still raising ``NotImplementedError``, or any other exception, becomes a
    :class:`CheckError` that names the call. ``name`` is how the call is shown (default: the
    function's name with the arguments).
    """
    __tracebackhide__ = True
    return _invoke(func, _copy(args), _copy(kwargs), name or _describe_call(func, args, kwargs))


def _copy(value):
    """A copy of a test's argument (arrays and lists inside too), so that a student's function
    that changes its arguments in place never changes the test's own inputs."""
    if _isinstance(value, _ndarray):
        return value.copy()
    if _isinstance(value, list | tuple):
        return type(value)(_copy(v) for v in value)
    if _isinstance(value, dict):
        return {k: _copy(v) for k, v in value.items()}
    return value


def _unanswered(shown):
    """The error for a call ``shown`` whose function still raises NotImplementedError."""
    return CheckError(
        f"{shown} still raises NotImplementedError: replace the line "
        "`raise NotImplementedError()` with your code.",
        NOT_ANSWERED,
        named=False,
    )


def _invoke(func, args, kwargs, shown):
    """Call ``func(*args, **kwargs)``; turn an exception into a :class:`CheckError` naming the
    call as ``shown``."""
    __tracebackhide__ = True
    try:
        with _quiet():
            return func(*args, **kwargs)
    except NotImplementedError:
        raise _unanswered(shown) from None
    except CheckError:
        raise
    except Exception as error:  # any crash of the student's code is reported, not re-raised
        hint = ""
        if "could not be broadcast" in str(error):
            shapes = re.findall(r"\([\d, ]*\)", str(error))
            between = f", {' and '.join(shapes[:2])}" if _len(shapes) >= 2 else ""
            hint = (
                f" An element-by-element operation (such as * or -) met shapes it cannot pair"
                f"{between}: print each shape. A matrix product is written @; a vector v "
                "becomes a column with v[:, None]."
            )
        elif "mismatch in its core dimension" in str(error):
            hint = (
                " The sizes of a matrix product do not line up: the columns of the left matrix "
                "must match the rows of the right one. Write down each shape: is a transpose "
                "(.T) missing?"
            )
        elif "must be square" in str(error):
            hint = (
                " np.linalg.solve(A, c) needs a square matrix A, one equation per unknown; "
                "X has more rows than columns."
            )
        elif _isinstance(error, AttributeError | TypeError) and any(
            _isinstance(a, list | tuple) for a in args
        ):
            name = _list_parameter(func, args)
            hint = (
                " This call passes lists, which have no .shape and no arithmetic: "
                f"np.asarray({name}, dtype=float) turns a list into an array first."
            )
        text = str(error).strip().rstrip(".")
        raise CheckError(
            f"{shown} raised {type(error).__name__}: {text}.{hint}",
            hint.strip() or f"raised {type(error).__name__}",
            named=False,
        ) from None


def check_inputs_kept(func, *args, name=None, why="", **kwargs):
    """Call ``func(*args, **kwargs)`` as :func:`call` does; raise a :class:`CheckError` when the
    call changed one of its array or list arguments in place (``why`` says what to do instead).
    Returns the result."""
    __tracebackhide__ = True
    shown = name or _describe_call(func, args, kwargs)
    given, given_kwargs = _copy(args), _copy(kwargs)
    result = _invoke(func, given, given_kwargs, shown)
    pairs = [(f"argument {i + 1}", a, g) for i, (a, g) in enumerate(zip(args, given, strict=True))]
    pairs += [(k, kwargs[k], given_kwargs[k]) for k in kwargs]
    for what, original, after in pairs:
        if _isinstance(original, _ndarray | list) and not _same(original, after):
            raise CheckError(
                f"{shown} changed its {what} in place, from {show(_array(original))} to "
                f"{_short(after)}: a caller's data must stay as it was. {why}".rstrip(),
                f"changed its {what} in place",
            )
    return result


def _same(a, b):
    """True when two arrays or lists hold the same numbers in the same shape."""
    try:
        with _quiet():
            return _array_equal(_array(a, dtype=_float64), _array(b, dtype=_float64))
    except (TypeError, ValueError):
        return False


def _describe_call(func, args, kwargs):
    """Return ``name(arg, ...)`` with short argument reprs."""
    parts = [_short(a) for a in args] + [f"{k}={_short(v)}" for k, v in kwargs.items()]
    return f"{getattr(func, '__name__', 'your function')}({', '.join(parts)})"


def _list_parameter(func, args):
    """The name of the parameter of ``func`` that takes the first list (or tuple) in ``args``,
    as its ``def`` line names it (``"..."`` where its source cannot be read)."""
    position = next(i for i, a in enumerate(args) if _isinstance(a, list | tuple))
    names = []
    reader = getattr(func, "source", None)  # a function of the student's seen from the grader
    try:
        text = reader() if callable(reader) else inspect.getsource(func)
        tree = ast.parse(textwrap.dedent(text or ""))
        names = [a.arg for a in tree.body[0].args.args]
    except (OSError, TypeError, SyntaxError, IndexError, AttributeError):
        pass
    return names[position] if position < _len(names) else "..."


def _short(value):
    """A one-line, at most 40-character repr of an argument; a Python int as written (an
    ``epochs=1`` is not ``epochs=1.0``)."""
    if _isinstance(value, int) and not _isinstance(value, bool):
        return f"{value:d}"
    text = " ".join(show(value).split())
    return text if _len(text) <= 40 else text[:37] + "..."


def as_array(value, what):
    """Read ``value`` (a number, list, tuple or array) as a plain float64 array.

    Raises :class:`CheckError` naming ``what`` when the value is ``None`` or not numbers.
    """
    __tracebackhide__ = True
    if value is None:
        raise CheckError(
            f"{what} returned None: did you forget the `return` statement?", "returned None"
        )
    try:
        with _quiet():
            array = _array(value, dtype=_float64, copy=True, subok=False)
    except (TypeError, ValueError) as error:
        raise CheckError(
            f"{what} returned {value!r}, which cannot be read as numbers ({error}).",
            "returned something that is not numbers",
        ) from None
    return array


def _close(got, expected, rtol=RTOL, atol=ATOL):
    """True when two plain float arrays of one shape agree within the tolerances."""
    with _quiet():
        diff = _absolute(_subtract(got, expected))
        bound = _add(_multiply(_absolute(expected), rtol), atol)
        return bool(_all(_less_equal(diff, bound)))


def _finite(array):
    """True when every element is a finite number (no nan, no inf)."""
    with _quiet():
        return bool(_all(_less(_absolute(array), np.inf)))


def _shape_hint(got, expected):
    """A sentence on why ``got`` has another shape than ``expected``."""
    g, e = got.shape, expected.shape
    if got.ndim == 2 and g[0] == g[1] == expected.size > 1:
        return (
            f"Your result has shape {g}: did an array of shape ({g[0]},) meet one of shape "
            f"({g[0]}, 1)? NumPy then broadcasts them into an {g[0]} x {g[0]} table instead "
            "of pairing element i with element i. Give both the same shape first."
        )
    if got.ndim == 2 and expected.ndim == 2 and g == e[::-1]:
        return f"Your result has shape {g} but should have shape {e}: is it transposed?"
    if got.size == expected.size:
        return (
            f"Your result has shape {g} but should have shape {e}: the numbers may be right, "
            "the shape is not (compare a flat (n,) vector with an (n, 1) column)."
        )
    return f"Your result has shape {g} but should have shape {e}."


def _mistake(got, mistakes, atol=ATOL):
    """The message of the mistake whose value ``got`` matches, or None. When the values of two
    different mistakes match (a mean absolute error equals a root mean square on one sample),
    the answer does not tell them apart, and none is named."""
    named = set()
    for value, message in mistakes:
        candidate = _array(value, dtype=_float64)
        if candidate.shape == got.shape and _close(got, candidate, atol=atol):
            named.add(message)
    return named.pop() if _len(named) == 1 else None


def check_array(got, expected, what, mistakes=(), reveal=False, atol=ATOL):
    """Check that ``got`` equals the array ``expected`` in shape and value.

    ``what`` names the result in messages (e.g. ``"predict(X, w)"``); ``mistakes`` is a
    sequence of (value, message) pairs naming typical mistakes; ``reveal`` shows the expected
    value in the message (only where the notebook already states it); ``atol`` is the absolute
    tolerance (for answers rounded by hand).
    """
    __tracebackhide__ = True
    got = as_array(got, what)
    expected = _array(expected, dtype=_float64)
    if got.shape != expected.shape:
        named = _mistake(got, mistakes, atol)
        raise CheckError(
            f"{what}: {named or _shape_hint(got, expected)}",
            named or WRONG_SHAPE,
            named=named is not None,
        )
    _check_values(got, expected, what, mistakes, reveal, atol)


def _verb(what):
    """How a message says what the checked thing gave: a call (``"mse(y, y_hat)"``) "returned"
    it; a variable or a described value (``"loss_by_hand"``, ``"mse on 5 random samples"``)
    "is" it."""
    return "returned" if "(" in what else "is"


def _check_values(got, expected, what, mistakes, reveal, atol=ATOL):
    """Raise a :class:`CheckError` unless ``got`` is finite and close to ``expected``."""
    __tracebackhide__ = True
    if not _finite(got):
        said = f"{what} {_verb(what)} {show(got)}, which contains nan or inf."
        raise CheckError(said, "nan or inf", named=False)
    if _close(got, expected, atol=atol):
        return
    shown_got, shown_expected = show_apart(got, expected)
    named = _mistake(got, mistakes, atol)
    message = named or "This is not the right value."
    if reveal:
        message += f" Expected {shown_expected}."
    said = f"{what} {_verb(what)} {shown_got}. {message}"
    raise CheckError(said, named or WRONG_VALUE, named=named is not None)


def check_scalar(got, expected, what, mistakes=(), reveal=False, atol=ATOL):
    """Check that ``got`` is a single number equal to ``expected``.

    Python and NumPy numbers and 0-d arrays are accepted; an array with a shape is not.
    Arguments are those of :func:`check_array`.
    """
    __tracebackhide__ = True
    got = as_array(got, what)
    if got.shape != ():
        raise CheckError(
            f"{what} should be a single number, but it has shape {got.shape}: "
            "reduce it to the one number the exercise asks for.",
            "not a single number",
        )
    _check_values(got, _array(expected, dtype=_float64), what, mistakes, reveal, atol)


def check_pair(
    got, expected, what, names=("the first", "the second"), mistakes=(), reveal=False, atol=ATOL
):
    """Check that ``got`` is a pair (tuple, list or array of 2 numbers) equal to ``expected``.

    ``names`` name the two values (e.g. ``("dL/dw", "dL/db")``) so that a swapped pair, or one
    wrong value, is said in those words. Other arguments are those of :func:`check_array`.
    """
    __tracebackhide__ = True
    got = as_array(got, what)
    expected = _array(expected, dtype=_float64)
    if got.shape != (2,):
        raise CheckError(
            f"{what} should return a pair ({names[0]}, {names[1]}), but returned "
            f"{show(got)} with shape {got.shape}.",
            "not a pair",
        )
    close = _close(got, expected, atol=atol)
    message = None if close else _mistake(got, mistakes, atol)
    if message is None and not close and _close(got, expected[::-1], atol=atol):
        message = f"The two values are swapped: return ({names[0]}, {names[1]}) in that order."
    if message is None and _finite(got) and not close:
        wrong = [
            n
            for n, g, e in zip(names, got, expected, strict=True)
            if not _close(_array(g), _array(e), atol=atol)
        ]
        if _len(wrong) == 1:
            message = f"The value of {wrong[0]} is not right; the other one is."
    if message is not None:
        named = message
        shown_got, shown_expected = show_apart(got, expected)
        if reveal:
            message += f" Expected {shown_expected}."
        raise CheckError(f"{what} {_verb(what)} {shown_got}. {message}", named)
    _check_values(got, expected, what, (), reveal, atol)


def check_raises(func, args, error, what, why):
    """Check that ``func(*args)`` raises ``error`` (an exception class); return the exception.

    ``what`` names the call, ``why`` says in a sentence when the error is due.
    """
    __tracebackhide__ = True
    try:
        with _quiet():
            result = func(*args)
    except NotImplementedError:
        raise _unanswered(what) from None
    except error as raised:
        return raised
    except Exception as other:  # the wrong exception is reported, not re-raised
        raise CheckError(
            f"{what} raised {type(other).__name__}, but it should raise {error.__name__}: {why}",
            f"raised {type(other).__name__} instead of {error.__name__}",
        ) from None
    raise CheckError(
        f"{what} returned {_short(result)} instead of raising {error.__name__}: {why}",
        f"returned a value instead of raising {error.__name__}",
    )


def check_true(condition, message, mistake=None):
    """Raise a :class:`CheckError` with ``message`` unless ``condition`` is true; ``mistake``
    names the mistake without the answer's numbers (default: the message itself)."""
    __tracebackhide__ = True
    if not (_isinstance(condition, (bool, np.bool_)) and bool(condition)):
        raise CheckError(message, mistake or message)


def called_names(func):
    """The names a function's source calls, e.g. ``{"solve", "asarray"}`` for
    ``np.linalg.solve(np.asarray(X), y)``; empty when its source cannot be read."""
    reader = getattr(func, "source", None)  # a function of the student's seen from the grader
    try:
        text = reader() if callable(reader) else inspect.getsource(func)
        tree = ast.parse(textwrap.dedent(text or ""))
    except (OSError, TypeError, SyntaxError):
        return set()
    names = set()
    for node in ast.walk(tree):
        if _isinstance(node, ast.Call):
            target = node.func
            if _isinstance(target, ast.Attribute):
                names.add(target.attr)
            elif _isinstance(target, ast.Name):
                names.add(target.id)
    return names


LIBRARY_PRODUCTS = frozenset({"dot", "matmul", "einsum", "inner", "tensordot", "vdot", "outer"})
"""NumPy's ready-made products: an exercise that asks for the loops must not call them."""


def uses_library_product(func):
    """True when a function's source computes a product for you: the ``@`` operator or a call of
    one of :data:`LIBRARY_PRODUCTS` (``np.dot``, ``np.matmul``, ...); False when its source
    cannot be read (then nothing can be said)."""
    reader = getattr(func, "source", None)
    try:
        text = reader() if callable(reader) else inspect.getsource(func)
        tree = ast.parse(textwrap.dedent(text or ""))
    except (OSError, TypeError, SyntaxError):
        return False
    operators = any(
        _isinstance(node, ast.BinOp | ast.AugAssign) and _isinstance(node.op, ast.MatMult)
        for node in ast.walk(tree)
    )
    return operators or bool(called_names(func) & LIBRARY_PRODUCTS)


def digest(value, decimals=4):
    """A short fingerprint of a number written with ``decimals`` decimals (``0.19`` and
    ``0.1900`` alike), for a visible test that must recognize an answer without printing it."""
    import hashlib

    return hashlib.sha256(f"{float(value):.{decimals}f}".encode()).hexdigest()[:16]


def value_of(namespace, name):
    """Return the variable ``name`` from ``namespace`` (a test passes ``globals()``).

    Raises :class:`CheckError` when the student has not defined it yet.
    """
    __tracebackhide__ = True
    if name not in namespace:
        raise CheckError(
            f"`{name}` is not defined yet: run your answer cell, which assigns `{name} = ...`.",
            NOT_ANSWERED,
            named=False,
        )
    return namespace[name]


class SourceFunction:
    """A function a test hands to a student's function, given by its Python source.

    ``SourceFunction("lambda w, b: w ** 2 + b", c=3.0)`` evaluates the source with ``np`` and
    the named values in scope; it is called like the function, and can cross to the kernel.
    """

    def __init__(self, source, **values):
        self.source = source
        self.values = values
        self._function = eval(source, {"np": np, **values})  # noqa: S307 (test-authored source)

    def __call__(self, *args, **kwargs):
        return self._function(*args, **kwargs)

    def __repr__(self):
        return self.source
