"""nbgrader's side of trusted grading: the ``Execute`` preprocessor the course's
``nbgrader_config.py`` puts in place of nbgrader's own at autograding (see
:mod:`course.grader.trusted` for what it changes and why)."""

from pathlib import Path

from nbgrader.preprocessors import Execute, NbGraderPreprocessor

from course.grader import sandbox
from course.grader.standing import StatusBook
from course.grader.trusted import TrustedCells


class SandboxUnavailable(RuntimeError):
    """Students' code is not run: the sandbox should run and cannot (see :mod:`.sandbox`)."""


class TrustedExecute(TrustedCells, Execute):
    """nbgrader's Execute, but each autograded test cell runs in the grader.

    It refuses to run a notebook when the grading sandbox should run and cannot.
    """

    def preprocess(self, nb, resources=None, km=None):
        why = sandbox.refusal()
        if why:
            raise SandboxUnavailable(why)
        if self.kernel_name == sandbox.KERNEL_NAME:
            sandbox.expose_kernelspec()
        return super().preprocess(nb, resources, km)


class RecordGraded(NbGraderPreprocessor):
    """The last step of the course's autograding: the notebook was graded, so its status in
    ``grading-status.json`` (beside the gradebook) says so, whatever ran nbgrader."""

    def preprocess(self, nb, resources):
        info = resources["nbgrader"]
        root = Path(info["db_url"].removeprefix("sqlite:///")).parent
        StatusBook(root).set(info["student"], info["assignment"], "graded")
        return nb, resources
