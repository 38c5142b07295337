"""What the notebook kernel shows for an error, in a student's words: a failed check as its
message alone, and a NameError with what to do about it."""

import sys


def install():
    """In an IPython kernel, show a failed check (``course.checks.CheckError``) as its message
    alone, without the test's code around it, and make every NameError say what to do: run the
    defining cell first.

    Students often run a test cell before the cell that defines the function it tests; Python
    then only says ``name 'mse' is not defined``. Outside IPython this does nothing.
    """
    ipython = sys.modules.get("IPython")  # a kernel has imported it; elsewhere, skip its import
    if ipython is None:
        return
    shell = ipython.get_ipython()
    if shell is None:
        return

    def explain(shell, etype, value, tb, tb_offset=None):
        if etype.__name__ == "CheckError" and etype.__module__ == "course.checks":
            shell.showtraceback((etype, value, None))  # the message is the whole story
            return
        name = getattr(value, "name", None)
        if issubclass(etype, NameError) and name and not getattr(value, "__notes__", None):
            value.add_note(
                f"Hint: `{name}` is not defined yet. Run the cell that defines it first (your "
                "answer cell, or the setup cell at the top of the notebook), then this cell again."
            )
        shell.showtraceback((etype, value, tb), tb_offset=tb_offset)

    # CheckError is an AssertionError; importing it here would load numpy with the package
    shell.set_custom_exc((NameError, AssertionError), explain)
