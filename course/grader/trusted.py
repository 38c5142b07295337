"""Grading that a submission cannot fool: test cells run in the grader, not in the student's kernel.

nbgrader runs a whole notebook, tests included, in one kernel, where the student's code can
replace numpy, builtins or the course's checks, hand back objects with rigged comparisons, or
read the hidden tests' code. :class:`TrustedCells`, mixed into the notebook client of nbgrader's
autograding (:class:`course.grader.grading.TrustedExecute`) and of a learner's own grading
(:mod:`course.grader.selfstudy`), changes that: the student's cells still run in the kernel,
but each autograded test cell runs in the grader's own process, with its own numpy and checks,
and reaches the student's functions and variables only through :mod:`course.grader.wire`, as
plain data. The hidden tests' code never reaches the kernel, and a failing test's output holds
its message only, never test code.
"""

import ast
import asyncio
import builtins
import concurrent.futures
import contextlib
import io
import json
import os
import time

import numpy as np
from jupyter_core.utils import run_sync
from nbclient.util import run_hook
from nbformat.v4 import new_output

from course.grader.learnerkernel import KERNEL_ENV
from course.grader.wire import decode, encode

REQUEST = "__import__('course.grader.wire', fromlist=['handle']).handle({!r})"


class StudentCodeTimeout(BaseException):
    """The student's code did not answer within the time limit of a cell (``waited`` False: a
    function that already ran out of time once is not waited for again).

    A BaseException, as KeyboardInterrupt is: the checks turn any Exception of a call into a
    failed check, and this one must reach the grader, which then interrupts the kernel."""

    def __init__(self, message, waited=True):
        super().__init__(message)
        self.waited = waited


class KernelLink:
    """Requests to the student's kernel from the thread that runs a test cell. Each request is
    sent by the grader's own kernel client on its event loop, and waited for with a deadline."""

    def __init__(self, client, loop, timeout, stuck=None):
        self.client, self.loop = client, loop
        self.timeout = timeout
        self.deadline = time.monotonic() + timeout
        self.stuck = set() if stuck is None else stuck
        """The student's functions a call of which ran out of time (shared by a notebook's
        test cells): a later call of one fails at once instead of waiting again."""

    def ask(self, **request):
        """Send a request to :func:`course.grader.wire.handle` in the kernel; return its reply."""
        called = request.get("name") if request.get("op") == "call" else None
        if called in self.stuck:
            raise StudentCodeTimeout(
                f"{called} did not finish in time when the tests called it before "
                "(an endless loop?): not called again.",
                waited=False,
            )
        future = asyncio.run_coroutine_threadsafe(self._ask(request), self.loop)
        try:
            return future.result(timeout=max(0.0, self.deadline - time.monotonic()))
        except concurrent.futures.TimeoutError:
            future.cancel()
            if called:
                self.stuck.add(called)
            what = f"{called}" if called else "your code"
            raise StudentCodeTimeout(
                f"{what} did not finish in time: it was stopped after {self.timeout:g} s "
                "(an endless loop?), and the other tests went on."
            ) from None

    async def _ask(self, request):
        expression = REQUEST.format(json.dumps(request))
        msg_id = self.client.execute(
            "", silent=True, store_history=False, user_expressions={"reply": expression}
        )
        while True:
            message = await self.client.get_shell_msg(timeout=None)
            if message["parent_header"].get("msg_id") == msg_id:
                break
        reply = message["content"].get("user_expressions", {}).get("reply", {})
        if reply.get("status") != "ok":
            raise RuntimeError(
                "the notebook's kernel could not answer the grader: "
                f"{reply.get('ename', message['content'].get('ename'))}"
            )
        return json.loads(_literal(reply["data"]["text/plain"]))


def _literal(text):
    """The str whose repr the kernel sent (IPython's text/plain of a str is its repr)."""
    return ast.literal_eval(text)


class StudentFunction:
    """A function defined in the student's kernel, called from the grader with plain data.

    An array argument the student's function changes in place is changed here too, as a caller
    in the kernel would see it; :meth:`source` reads the function's source text.
    """

    def __init__(self, link, name):
        self.link, self.__name__ = link, name

    def source(self):
        """The source text of the student's function (None when it has none)."""
        return self.link.ask(op="source", name=self.__name__).get("value")

    def __call__(self, *args, **kwargs):
        reply = self.link.ask(
            op="call", name=self.__name__, args=encode(list(args)), kwargs=encode(kwargs)
        )
        for key, value in reply.get("changed", []):
            target = args[key] if isinstance(key, int) else kwargs.get(key)
            new = decode(value)
            if isinstance(target, np.ndarray) and isinstance(new, np.ndarray):
                if target.shape == new.shape and target.flags.writeable:
                    np.copyto(target, new, casting="unsafe")
        if "raised" in reply:
            raise _rebuild(reply["raised"])
        if "missing" in reply:
            raise NameError(f"name '{self.__name__}' is not defined")
        return decode(reply["value"])


def _rebuild(raised):
    """An exception of the student's, rebuilt in the grader under its own name, as a subclass
    of its nearest built-in exception (so ``except ValueError`` still catches it)."""
    base = next(
        (
            getattr(builtins, name)
            for name in raised["bases"]
            if isinstance(getattr(builtins, name, None), type)
            and issubclass(getattr(builtins, name), Exception)
        ),
        Exception,
    )
    if base.__name__ == raised["type"]:
        return base(raised["message"])
    return type(raised["type"], (base,), {})(raised["message"])


class StudentNamespace(dict):
    """The globals of a test cell run in the grader: the test's own names first, then Python's
    builtins and numpy as ``np``, and last the student's names, fetched from the kernel.

    A student's function, once found, stays for the rest of the cell: a :class:`StudentFunction`
    calls whatever the name holds in the kernel at the time of the call, so looking it up again
    would only cost a round trip. A value is fetched at each use (a call may change it)."""

    def __init__(self, link):
        super().__init__(__builtins__=builtins, __name__="__test__", np=np)
        self.link = link

    def _fetch(self, name):
        if name.startswith("__") or hasattr(builtins, name):
            raise KeyError(name)
        reply = self.link.ask(op="lookup", name=name)
        if "missing" in reply:
            raise KeyError(name)
        if reply.get("callable"):
            function = self[name] = StudentFunction(self.link, name)
            return function
        return decode(reply["value"])

    def __missing__(self, name):
        if hasattr(builtins, name):
            return getattr(builtins, name)
        return self._fetch(name)

    def __contains__(self, name):
        if dict.__contains__(self, name):
            return True
        try:
            self._fetch(name)
        except KeyError:
            return False
        return True


def run_test_cell(source, link, label):
    """Run a test cell's ``source`` in this process against the student's kernel.

    Returns None when it passes, else ``(error name, message, mistake, named)``, the mistake as
    the check named it and whether a test foresaw it (:class:`course.checks.CheckError`);
    ``StudentCodeTimeout`` is raised when the student's code ran past the link's deadline.
    """
    try:
        # what a test prints (the hidden tests' note to the student) is not the grader's output
        with contextlib.redirect_stdout(io.StringIO()):
            exec(compile(source, f"<{label}>", "exec"), StudentNamespace(link))  # noqa: S102
    except StudentCodeTimeout:
        raise
    except Exception as error:  # the verdict of a failed test: its name and message only
        mistake = str(getattr(error, "mistake", error))
        return type(error).__name__, str(error), mistake, bool(getattr(error, "named", False))
    return None


def is_autograder_test(cell):
    """True for an autograded test cell: a graded code cell that is not an answer."""
    flags = cell.metadata.get("nbgrader", {})
    return cell.cell_type == "code" and bool(flags.get("grade")) and not flags.get("solution")


MISTAKE_KEY = "course"
"""Cell metadata a failed test cell gets at grading: ``{"mistake": ..., "named": ...}``, the
mistake its check named and whether a test foresaw it (the class report counts them, see
:mod:`course.grader.classreport`)."""


class TrustedCells:
    """Mixed into an nbclient ``NotebookClient`` (nbgrader's ``Execute`` is one): each
    autograded test cell runs in the grader (see the module), every other cell in the kernel,
    which is started with :data:`KERNEL_ENV`."""

    async def async_start_new_kernel(self, **kwargs):
        self.stuck_functions = set()  # a new kernel, a new notebook: nothing has timed out
        kwargs.setdefault("env", {**os.environ, **KERNEL_ENV})
        return await super().async_start_new_kernel(**kwargs)

    start_new_kernel = run_sync(async_start_new_kernel)

    async def async_execute_cell(self, cell, cell_index, execution_count=None, store_history=True):
        if not is_autograder_test(cell):
            return await super().async_execute_cell(
                cell, cell_index, execution_count, store_history
            )
        label = cell.metadata["nbgrader"]["grade_id"]
        cell.outputs = []
        await run_hook(self.on_cell_start, cell=cell, cell_index=cell_index)
        try:
            loop = asyncio.get_running_loop()
            stuck = getattr(self, "stuck_functions", None)
            link = KernelLink(self.kc, loop, self.timeout, stuck)
            verdict = await loop.run_in_executor(None, run_test_cell, cell.source, link, label)
        except StudentCodeTimeout as error:
            if error.waited:
                await self.km.interrupt_kernel()
            verdict = ("TimeoutError", str(error), "did not finish in time", True)
        if verdict is None:
            cell.outputs = [new_output("stream", name="stdout", text="passed\n")]
        else:
            name, message, mistake, named = verdict
            cell.outputs = [
                new_output("error", ename=name, evalue=message, traceback=[f"{name}: {message}"])
            ]
            cell.metadata[MISTAKE_KEY] = {"mistake": mistake, "named": named}
        return cell

    execute_cell = run_sync(async_execute_cell)
