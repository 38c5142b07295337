"""The notebook client of a learner's own grading (``course grade``): nbclient's, with the test
cells run in the grader (:class:`course.grader.trusted.TrustedCells`) and the settings of the
course's nbgrader ``Execute`` (a cell's time limit, errors recorded and the run going on)."""

import os

from nbclient import NotebookClient
from nbformat.v4 import new_output

from course.grader.trusted import TrustedCells


class LearnerClient(TrustedCells, NotebookClient):
    """Runs a notebook merged with its answer key in a kernel started by the caller (``km``)."""

    def __init__(self, nb, km):
        super().__init__(
            nb,
            km=km,
            timeout=int(os.environ.get("COURSE_CELL_TIMEOUT", "30")),
            interrupt_on_timeout=True,
            allow_errors=True,
            error_on_timeout={
                "ename": "CellTimeoutError",
                "evalue": "your code did not finish in time (an endless loop?)",
                "traceback": ["CellTimeoutError: your code did not finish in time"],
            },
        )
        self.on_cell_executed = self._record_error

    def _record_error(self, cell, cell_index, execute_reply):
        """As nbgrader's ``Execute``: a cell whose reply is an error the outputs do not show (a
        cell stopped at its time limit) gets that error as an output."""
        content = execute_reply["content"]
        if content["status"] != "error":
            return
        if not any(o.output_type == "error" and o.ename == content["ename"] for o in cell.outputs):
            cell.outputs.append(
                new_output(
                    "error",
                    ename=content["ename"],
                    evalue=content["evalue"],
                    traceback=content["traceback"],
                )
            )
