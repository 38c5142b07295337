"""Hints the notebook kernel adds to Python's own errors, in a student's words."""


def install():
    """In an IPython kernel, make every NameError say what to do: run the defining cell first.

    Students often run a test cell before the cell that defines the function it tests; Python
    then only says ``name 'mse' is not defined``. Outside IPython this does nothing.
    """
    try:
        from IPython import get_ipython
    except ImportError:
        return
    shell = get_ipython()
    if shell is None:
        return

    def explain(shell, etype, value, tb, tb_offset=None):
        name = getattr(value, "name", None)
        if name and not getattr(value, "__notes__", None):
            value.add_note(
                f"Hint: `{name}` is not defined yet. Run the cell that defines it first (your "
                "answer cell, or the setup cell at the top of the notebook), then this cell again."
            )
        shell.showtraceback((etype, value, tb), tb_offset=tb_offset)

    shell.set_custom_exc((NameError,), explain)
