"""What nbgrader's feedback pages say, made true before they go back to the students.

nbgrader writes "Written response (Score: 0.0 / 4.0)" for a written answer nobody has read yet,
and its table of contents lists every test cell as "Test cell". After ``course feedback``
writes the pages, :func:`mark_pending` changes each page of a submission whose written answers
wait for a grader: such an answer says "not graded yet", the total says it is not final; and
every test cell in the table of contents names its exercise; and each page loads MathJax
from the course's local copy (:mod:`course.grader.mathjax`), so its maths renders offline.
"""

import re
from pathlib import Path

from course.grader import answerkey, mathjax, pipeline
from course.grader.exports import standings

NOT_GRADED = "not graded yet: {points:g} points, graded by hand"


def mark_pending(root, assignment_ids):
    """Rewrite the feedback pages of ``assignment_ids`` in ``root/feedback`` (see the module);
    return how many pages show written answers still waiting for a grader."""
    root = Path(root)
    names = {a: pipeline.exercises(root, a) for a in assignment_ids}
    waiting = 0
    for student, assignment_id, state in standings(root, assignment_ids, names):
        page = root / "feedback" / student / assignment_id / f"{assignment_id}.html"
        if state.status not in ("graded", "pending") or not page.is_file():
            continue
        pending = {name: state.points[name][1] for name in state.pending}
        page.write_text(mathjax.localized(marked(page.read_text(), names[assignment_id], pending)))
        waiting += bool(pending)
    return waiting


def marked(html, exercises, pending):
    """The feedback page ``html`` with each test cell named by its exercise (``exercises``) and
    each written answer in ``pending`` ({grade_id: points}) marked as not graded yet."""

    def name_test(match):
        exercise = answerkey.exercise_of(match.group(1), exercises)
        label = f"Test of <code>{exercise}</code>" if exercise else "Test cell"
        return f'<a href="#{match.group(1)}">{label}</a>'

    html = re.sub(r'<a href="#([\w-]+)">Test cell</a>', name_test, html)
    for grade_id, points in pending.items():
        note = NOT_GRADED.format(points=points)
        html = re.sub(
            rf'(<a href="#{grade_id}">Written response</a>) \(Score: [^)]*\)',
            rf"\1 ({note})",
            html,
        )
        html = re.sub(
            rf'(<a name="{grade_id}"></a>.*?<span class="pull-right">\s*)Score: [\d.]+ / [\d.]+',
            rf"\1{note[0].upper()}{note[1:]}",
            html,
            count=1,
            flags=re.S,
        )
    if pending:
        waiting = sum(pending.values())
        html = re.sub(
            r"(<h4>[^<]*\(Score: [\d.]+ / [\d.]+)\)",
            rf"\1; not final: {waiting:g} points wait for hand grading)",
            html,
            count=1,
        )
    return html
