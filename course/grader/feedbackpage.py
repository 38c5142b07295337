"""The page a self-study learner reads after ``course grade``: one HTML file, offline.

At the top, the total over the autograded exercises (as the terminal says it) and a table of
the exercises: points, and what the failed tests said. Below, the notebook as it was graded:
the text with its maths, the learner's code and its outputs, and each test cell with its
points and its verdict ("passed", or the test's message). The hidden tests' code is cut out,
as in nbgrader's feedback; only their docstring and verdict remain. Written answers are
marked as graded by a person.
"""

import html
import re

import mistune
from pygments import highlight
from pygments.formatters import HtmlFormatter
from pygments.lexers import PythonLexer

from course.grader import answerkey, mathjax
from course.grader.trusted import is_autograder_test

HIDDEN = re.compile(r"^[^\n]*BEGIN HIDDEN TESTS.*?END HIDDEN TESTS[^\n]*\n?", re.S | re.M)
ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")
MAX_LINES = 200
"""Lines of one output shown; the rest is cut with a note (a loop that printed a million)."""

STYLE = """
body { font: 15px/1.5 system-ui, sans-serif; max-width: 60rem; margin: 2rem auto;
       padding: 0 1rem; color: #1b1b1b; }
table { border-collapse: collapse; margin: 1rem 0; }
td, th { border-bottom: 1px solid #ddd; padding: .35rem .8rem; text-align: left;
         vertical-align: top; }
.ok { color: #1a7f37; } .lost { color: #b42318; } .person { color: #555; }
.cell { margin: .8rem 0; }
.cell.code pre.source { background: #f6f8fa; border: 1px solid #e3e6ea; padding: .6rem;
                        overflow-x: auto; margin: 0; }
.score { font-size: 13px; font-weight: 600; margin: 0 0 .2rem; }
pre.output { margin: .2rem 0 0; padding: .4rem .6rem; white-space: pre-wrap; }
pre.error { background: #fdecea; color: #8a1c1c; }
pre.passed { background: #e8f5e9; color: #1a7f37; }
"""


def page(assignment_id, nb, exercises):
    """The HTML page of a graded notebook.

    ``nb`` is the notebook as run by the grader (outputs included); ``exercises`` the
    :class:`course.grader.selfstudy.Exercise` list, in notebook order.
    """
    auto = [e for e in exercises if not e.manual]
    score, maximum = sum(e.score for e in auto), sum(e.maximum for e in auto)
    # the text is the course's and the learner's own: its HTML (the hints' <details>) is kept
    markdown = mistune.create_markdown(escape=False, plugins=["math", "table", "strikethrough"])
    formatter = HtmlFormatter(nowrap=True)
    points = answerkey.scores(nb)
    cells = "\n".join(
        _cell(cell, i, points, markdown, formatter) for i, cell in enumerate(nb.cells)
    )
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<title>{assignment_id}: your grade</title>
<style>{STYLE}{formatter.get_style_defs(".source")}</style>
<script type="text/x-mathjax-config">
MathJax.Hub.Config({{tex2jax: {{inlineMath: [["\\\\(", "\\\\)"], ["$", "$"]],
                   displayMath: [["\\\\[", "\\\\]"], ["$$", "$$"]], processEscapes: true}}}});
</script>
<script src="{mathjax.url()}?config=TeX-AMS_CHTML"></script>
</head><body>
<h1>{assignment_id}</h1>
<p class="total">Score: {score:g} / {maximum:g} autograded</p>
{_table(exercises)}
<h2>Your notebook, as graded</h2>
{cells}
</body></html>
"""


def _table(exercises):
    """One row per exercise: its points and what its failed tests said."""
    rows = []
    for e in exercises:
        name = f'<a href="#{e.name}">{html.escape(e.name)}</a>'
        if e.manual:
            points = f'<td class="person">not graded here: {e.maximum:g} points</td>'
            said = (
                "a written answer, left blank: nothing to grade yet"
                if e.blank
                else "a written answer: a person grades it (compare with the summary)"
            )
        else:
            mark = "ok" if e.score == e.maximum else "lost"
            points = f'<td class="{mark}">{e.score:g} / {e.maximum:g}</td>'
            said = "<br>".join(html.escape(m) for m in e.messages) or "all tests passed"
        rows.append(f"<tr><td>{name}</td>{points}<td>{said}</td></tr>")
    return (
        "<table><tr><th>exercise</th><th>points</th><th>what the tests said</th></tr>"
        + "".join(rows)
        + "</table>"
    )


def _cell(cell, index, points, markdown, formatter):
    """One cell of the page: a score line for a graded cell, its text or code, its outputs."""
    flags = cell.metadata.get("nbgrader", {})
    name = flags.get("grade_id")
    anchor = f'<a name="{html.escape(name)}"></a>' if name else ""
    score = _score_line(cell, points.get(name))
    if cell.cell_type == "markdown":
        body = markdown(cell.source)
    elif cell.cell_type == "code":
        source = HIDDEN.sub("", cell.source) if is_autograder_test(cell) else cell.source
        body = f'<pre class="source">{highlight(source, PythonLexer(), formatter)}</pre>'
        body += "".join(_output(o, is_autograder_test(cell)) for o in cell.outputs)
    else:
        return ""
    identifier = html.escape(name or f"cell-{index}")
    return (
        f'<div class="cell {cell.cell_type}" id="cell-id={identifier}">{anchor}{score}{body}</div>'
    )


def _score_line(cell, points):
    """A graded cell's points, as :func:`course.grader.answerkey.scores` gives them (``points``
    None for a cell that is not graded)."""
    if points is None:
        return ""
    score, maximum = points
    if cell.cell_type == "markdown":
        if cell.source.strip() in ("", answerkey.TEXT_STUB):
            return f'<p class="score person">blank: nothing written yet ({maximum:g} points)</p>'
        return (
            f'<p class="score person">not graded here, graded by a person: {maximum:g} points</p>'
        )
    if not is_autograder_test(cell):
        return ""
    mark = "ok" if score == maximum else "lost"
    return f'<p class="score {mark}">Score: {score:g} / {maximum:g}</p>'


def _output(output, is_test):
    """An output as text: a stream, a value, an image, or an error (a test's message, or the
    kernel's traceback without colour codes)."""
    kind = output.output_type
    if kind == "stream":
        css = "passed" if is_test else ("error" if output.name == "stderr" else "")
        return _pre(output.text, css)
    if kind == "error":
        text = f"{output.ename}: {output.evalue}" if is_test else "\n".join(output.traceback)
        return _pre(ANSI.sub("", text), "error")
    data = output.get("data", {})
    if "image/png" in data:
        return f'<img alt="figure" src="data:image/png;base64,{data["image/png"]}">'
    if "text/plain" in data:
        return _pre(data["text/plain"], "")
    return ""


def _pre(text, css):
    lines = text.splitlines()
    if len(lines) > MAX_LINES:
        cut = len(lines) - MAX_LINES
        lines = lines[:MAX_LINES] + [f"... ({cut} more lines not shown)"]
    return f'<pre class="output {css}">{html.escape(chr(10).join(lines))}</pre>'
