"""Self-study: grade a learner's notebook with the hidden tests, without nbgrader.

A learner has no instructor and no gradebook. :func:`grade` merges a copy of the learner's
notebook with the assignment's answer key (built by nbgrader once per version of ``source/``
and cached, see :mod:`course.grader.answerkey`), runs it in a fresh kernel with the course's
trusted grading, scores it as nbgrader does, and returns each exercise's points and messages;
the learner's file, the course's gradebook and ``release/`` are never touched. The page is
:mod:`course.grader.feedbackpage`; progress is :mod:`course.grader.progress`.
"""

from dataclasses import dataclass, field
from pathlib import Path

from course.grader import answerkey, paths, progress


class CannotGrade(Exception):
    """The input cannot be graded (not a notebook, invalid, unknown assignment)."""


@dataclass
class Exercise:
    """One exercise's result: points earned, points possible, failure messages."""

    name: str
    score: float = 0.0
    maximum: float = 0.0
    manual: bool = False
    messages: list = field(default_factory=list)
    blank: bool = False
    """A written answer left as released (nothing to grade yet)."""


@dataclass
class Report:
    """The result of grading one notebook."""

    assignment_id: str
    exercises: list
    feedback: Path

    @property
    def passed(self):
        """True when every autograded test passed."""
        return all(e.score == e.maximum for e in self.exercises if not e.manual)


def find_notebook(path):
    """The notebook to grade at ``path`` (a notebook, or an assignment folder holding one) and
    its assignment id. Raises :class:`CannotGrade` with a one-line reason."""
    path = Path(path).expanduser()
    known = paths.assignments()
    if path.is_dir():
        folder = path
        candidates = [path / f"{path.name}.ipynb"] + sorted(path.glob("*.ipynb"))
        path = next((p for p in candidates if p.is_file()), None)
        if path is None:
            raise CannotGrade(f"no notebook in the folder {folder}")
    if not path.is_file():
        raise CannotGrade(f"{path}: no such file")
    if path.suffix != ".ipynb":
        raise CannotGrade(f"{path.name} is not a notebook (.ipynb)")
    for name in (path.stem, path.parent.name):
        if name in known:
            return path, name
    raise CannotGrade(
        f"{path.name}: unknown assignment; name the notebook or its folder after one of: "
        + ", ".join(known)
    )


def read_notebook(path):
    """Read ``path`` as a notebook, or raise :class:`CannotGrade` saying why it is not one."""
    import nbformat

    try:
        nb = nbformat.read(path, as_version=4)
        nbformat.validate(nb)
    except Exception as error:  # any parse or schema error is reported in one line
        reason = str(error).splitlines()[0] if str(error) else type(error).__name__
        raise CannotGrade(f"{path.name} is not a valid notebook: {reason}") from None
    return nb


def grade(path, workspace=None, on_progress=None):
    """Grade the notebook at ``path`` with the hidden tests; return a :class:`Report`.

    A copy of the notebook is merged with the assignment's answer key
    (:mod:`course.grader.answerkey`), run in a fresh kernel (in an empty folder of its own)
    with the test cells run in the grader (:mod:`course.grader.trusted`), and scored as nbgrader
    scores it. The HTML feedback is written beside the notebook as ``<id>_feedback.html``. When
    the notebook is the workspace's own (``<workspace>/<id>/<id>.ipynb``), the grade is recorded
    for ``course progress``. A learner grades their own code: no sandbox is needed or used.
    ``on_progress(text)``, when given, hears which exercise is being checked, and once when a
    cell runs past its time limit and is stopped.
    """
    notebook_path, assignment_id = find_notebook(path)
    from course.grader import learnerkernel

    kernel = learnerkernel.spawn()  # it boots while the rest is imported and merged
    try:
        import asyncio

        nb = read_notebook(notebook_path)
        key = answerkey.load(assignment_id)
        graded = asyncio.run(
            _run(answerkey.merge(nb, key), kernel, notebook_path.name, on_progress)
        )
    finally:
        kernel.stop()
    exercises = _results(graded)
    feedback = notebook_path.parent / f"{assignment_id}_feedback.html"
    report = Report(assignment_id, exercises, feedback)
    from course.grader import feedbackpage

    report.feedback.write_text(feedbackpage.page(assignment_id, graded, exercises))
    workspace = Path(workspace or paths.workspace_dir())
    if notebook_path.resolve() == progress.own_notebook(workspace, assignment_id).resolve():
        auto = [e for e in report.exercises if not e.manual]
        written = sum(e.maximum for e in report.exercises if e.manual)
        progress.record(
            workspace,
            assignment_id,
            sum(e.score for e in auto),
            sum(e.maximum for e in auto),
            written,
        )
    return report


async def _run(nb, kernel, name, on_progress=None):
    """Run the merged notebook ``nb`` in ``kernel``, test cells in the grader."""
    from nbclient.exceptions import DeadKernelError

    from course.grader.learnerclient import LearnerClient
    from course.grader.learnerkernel import KernelDidNotStart

    try:
        return await LearnerClient(nb, km=kernel, on_progress=on_progress).async_execute()
    except DeadKernelError:
        raise CannotGrade(
            f"{name}: the kernel stopped while running it (does your code exit, or use all the "
            "memory?); run it top to bottom in JupyterLab to see where"
        ) from None
    except KernelDidNotStart as error:
        raise CannotGrade(f"the kernel did not start: {error}") from None


def _results(graded):
    """Each exercise's points and messages, from the run notebook, in notebook order."""
    answers = {
        c.metadata.nbgrader["grade_id"]: c.cell_type == "markdown"
        for c in graded.cells
        if c.metadata.get("nbgrader", {}).get("solution")
    }
    blank = {
        c.metadata.nbgrader["grade_id"]
        for c in graded.cells
        if c.metadata.get("nbgrader", {}).get("solution")
        and c.cell_type == "markdown"
        and c.source.strip() in ("", answerkey.TEXT_STUB)
    }
    messages = {name: [] for name in answers}
    for cell in graded.cells:
        grade_id = cell.metadata.get("nbgrader", {}).get("grade_id", "")
        exercise = answerkey.exercise_of(grade_id, answers)
        if exercise and cell.cell_type == "code":
            messages[exercise] += [  # one line each: the table wraps them to the terminal
                " ".join(o.evalue.split())
                for o in cell.outputs
                if o.output_type == "error" and o.evalue
            ]
    points = answerkey.points_per_exercise(answerkey.scores(graded), answers)
    return [
        Exercise(name, *points[name], manual, messages[name], name in blank)
        for name, manual in answers.items()
    ]
