"""The notebook client of a learner's own grading (``course grade``): nbclient's, with the test
cells run in the grader (:class:`course.grader.trusted.TrustedCells`) and the settings of the
course's nbgrader ``Execute`` (a cell's time limit, errors recorded and the run going on)."""

import os

from nbclient import NotebookClient
from nbformat.v4 import new_output

from course.grader.answerkey import exercise_of
from course.grader.trusted import TrustedCells


class LearnerClient(TrustedCells, NotebookClient):
    """Runs a notebook merged with its answer key in a kernel started by the caller (``km``)."""

    def __init__(self, nb, km, on_progress=None):
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
        self.on_progress = on_progress
        self._checking = None  # the exercise whose cells run now
        self._exercises = [
            c.metadata["nbgrader"]["grade_id"]
            for c in nb.cells
            if c.get("metadata", {}).get("nbgrader", {}).get("solution")
        ]
        self._told_of_a_timeout = False

    async def async_execute_cell(self, cell, cell_index, execution_count=None, store_history=True):
        """Run a cell as usual; tell ``on_progress`` which exercise is being checked, and once
        when a cell ran past its time limit and was stopped."""
        grade_id = cell.get("metadata", {}).get("nbgrader", {}).get("grade_id")
        exercise = exercise_of(grade_id, self._exercises) if grade_id else None
        if self.on_progress and exercise and exercise != self._checking:
            self._checking = exercise
            self.on_progress(f"checking {exercise} ...")
        cell = await super().async_execute_cell(cell, cell_index, execution_count, store_history)
        stopped = any(
            o.output_type == "error" and o.ename in ("CellTimeoutError", "TimeoutError")
            for o in cell.get("outputs", [])
        )
        if self.on_progress and stopped and not self._told_of_a_timeout:
            self._told_of_a_timeout = True
            where = f" in {exercise}" if exercise else ""
            self.on_progress(
                f"a cell{where} ran past {self.timeout:g} s and was stopped (an endless loop?); "
                "the rest is graded as usual"
            )
        return cell

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
