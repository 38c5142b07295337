"""Self-study: grade a learner's notebook with the hidden tests.

A learner has no instructor and no gradebook. :func:`grade` copies a private course prepared
from ``source/`` (built once per version and cached, see :func:`prepared_course`) into a
temporary folder, grades a copy of the learner's notebook there with nbgrader (and the course's
trusted grading), and returns each exercise's points and messages; the learner's file, the
course's gradebook and ``release/`` are never touched. Progress is :mod:`course.grader.progress`.
"""

import hashlib
import importlib.metadata
import re
import shutil
import tempfile
import warnings
from dataclasses import dataclass, field
from pathlib import Path

import nbformat

from course.grader import paths, progress

LEARNER = "learner"
READY = ".ready"
"""Marks a prepared course in the cache as complete."""


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
    try:
        nb = nbformat.read(path, as_version=4)
        nbformat.validate(nb)
    except Exception as error:  # any parse or schema error is reported in one line
        reason = str(error).splitlines()[0] if str(error) else type(error).__name__
        raise CannotGrade(f"{path.name} is not a valid notebook: {reason}") from None
    return nb


def prepared_course(assignment_id):
    """A course folder in the cache with ``assignment_id`` released and in its gradebook.

    It is built once for each version of the assignment's source folder, the course's
    ``nbgrader_config.py`` and nbgrader (a hash of them names it), then reused by every grade;
    older versions of the same assignment are removed when a new one is built.
    """
    from course.grader import pipeline

    digest = hashlib.sha256(importlib.metadata.version("nbgrader").encode())
    config = paths.ROOT / "nbgrader_config.py"
    source = paths.ROOT / "source" / assignment_id
    for file in [config, *sorted(p for p in source.rglob("*") if p.is_file())]:
        digest.update(str(file.relative_to(paths.ROOT)).encode() + b"\0" + file.read_bytes())
    cache = paths.cache_dir()
    folder = cache / f"{assignment_id}-{digest.hexdigest()[:16]}"
    if (folder / READY).is_file():
        return folder
    cache.mkdir(parents=True, exist_ok=True)
    building = Path(tempfile.mkdtemp(prefix=f".{assignment_id}-", dir=cache))
    try:
        shutil.copy(config, building)
        shutil.copytree(source, building / "source" / assignment_id)
        failures = pipeline.release(building, [assignment_id])
        if failures:
            raise RuntimeError(failures[assignment_id])
        (building / READY).touch()
        for old in cache.glob(f"{assignment_id}-*"):
            shutil.rmtree(old, ignore_errors=True)
        building.rename(folder)
    finally:
        shutil.rmtree(building, ignore_errors=True)
    return folder


def grade(path, workspace=None):
    """Grade the notebook at ``path`` with the hidden tests; return a :class:`Report`.

    The HTML feedback is written beside the notebook as ``<id>_feedback.html``. When the
    notebook is the workspace's own (``<workspace>/<id>/<id>.ipynb``), the grade is recorded
    for ``course progress``. A learner grades their own code: no sandbox is needed or used.
    """
    from course.grader import pipeline, sandbox

    notebook_path, assignment_id = find_notebook(path)
    read_notebook(notebook_path)
    template = prepared_course(assignment_id)
    with (
        sandbox.off(),
        tempfile.TemporaryDirectory(prefix="course-grade-") as tmp,
        warnings.catch_warnings(),
    ):
        warnings.simplefilter("ignore")  # nbgrader's session bookkeeping (SQLAlchemy), harmless
        course = Path(tmp) / "course"
        shutil.copytree(template, course)
        submitted = course / "submitted" / LEARNER / assignment_id / f"{assignment_id}.ipynb"
        submitted.parent.mkdir(parents=True)
        shutil.copy(notebook_path, submitted)
        api = pipeline.nbgrader_api(course)
        result = api.autograde(assignment_id, LEARNER)
        if not result["success"]:
            raise CannotGrade(
                f"nbgrader could not grade {notebook_path.name}: " + _last_error(result)
            )
        exercises = _results(course, assignment_id)
        pipeline.feedback(course, [assignment_id], LEARNER)
        report_path = notebook_path.parent / f"{assignment_id}_feedback.html"
        page = (course / "feedback" / LEARNER / assignment_id / f"{assignment_id}.html").read_text()
    report = Report(assignment_id, exercises, report_path)
    report_path.write_text(_local_mathjax(_written_answers_by_a_person(page, report)))
    workspace = Path(workspace or paths.workspace_dir())
    if notebook_path.resolve() == progress.own_notebook(workspace, assignment_id).resolve():
        auto = [e for e in report.exercises if not e.manual]
        progress.record(
            workspace, assignment_id, sum(e.score for e in auto), sum(e.maximum for e in auto)
        )
    return report


def _written_answers_by_a_person(page, report):
    """nbgrader's feedback page, with each written answer shown as graded by a person (nobody
    has graded it: nbgrader shows 0) and the total over the autograded exercises only, as the
    terminal says."""
    for e in report.exercises:
        if e.manual:
            by_hand = f"graded by a person: {e.maximum:g} points"
            page = re.sub(
                rf'(<a href="#{e.name}">[^<]*</a>) \(Score: [\d.]+ / [\d.]+\)',
                rf"\1 ({by_hand})",
                page,
            )
            page = re.sub(
                rf'(<a name="{e.name}"></a>.*?)Score: [\d.]+ / [\d.]+',
                rf"\1{by_hand}",
                page,
                count=1,
                flags=re.S,
            )
    auto = [e for e in report.exercises if not e.manual]
    total = f"Score: {sum(e.score for e in auto):g} / {sum(e.maximum for e in auto):g} autograded"
    return re.sub(r"\(Score: [\d.]+ / [\d.]+\)</h4>", f"({total})</h4>", page, count=1)


LOCAL_MATHJAX = Path("/usr/share/javascript/mathjax/MathJax.js")
"""Debian's MathJax 2 (package libjs-mathjax), used by the report when it is installed."""


def _local_mathjax(page):
    """The page loading MathJax from this machine where it is installed, so that its maths
    renders without a network (nbgrader's template loads it from a CDN)."""
    if not LOCAL_MATHJAX.is_file():
        return page
    return re.sub(
        r'src="https://cdnjs\.cloudflare\.com/ajax/libs/mathjax/[^"?]*/latest\.js\?',
        f'src="{LOCAL_MATHJAX.as_uri()}?',
        page,
    )


def _last_error(result):
    """The last line of nbgrader's error log, for a one-line reason."""
    lines = [line for line in (result.get("log") or "").splitlines() if line.strip()]
    return lines[-1].strip() if lines else "unknown error"


def _results(course, assignment_id):
    """Each exercise's points and messages, from the private gradebook and graded notebook."""
    from nbgrader.api import Gradebook

    from course.grader import pipeline

    graded = nbformat.read(
        course / "autograded" / LEARNER / assignment_id / f"{assignment_id}.ipynb", as_version=4
    )
    answers = {
        c.metadata.nbgrader["grade_id"]: c.cell_type == "markdown"
        for c in graded.cells
        if c.metadata.get("nbgrader", {}).get("solution")
    }
    messages = {name: [] for name in answers}
    for cell in graded.cells:
        grade_id = cell.metadata.get("nbgrader", {}).get("grade_id", "")
        exercise = pipeline.exercise_of(grade_id, answers)
        if exercise and cell.cell_type == "code":
            messages[exercise] += [o.evalue for o in cell.outputs if o.output_type == "error"]
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gb:
        notebook = gb.find_submission_notebook(assignment_id, assignment_id, LEARNER)
        points = pipeline.points(notebook, list(answers))
    return [
        Exercise(name, *points[name], manual, messages[name]) for name, manual in answers.items()
    ]
