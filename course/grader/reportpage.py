"""The class report as one self-contained HTML page (figures embedded, opens offline), and its
short summary for the terminal. The numbers come from :mod:`course.grader.classreport`.

Students are not named unless asked (``names=True``): the page may be shown to the class.
"""

import base64
import datetime
import html
import io

import matplotlib

from course.checks import WRONG_SHAPE, WRONG_VALUE

matplotlib.use("agg")
import matplotlib.pyplot as plt  # noqa: E402  (after choosing the backend)

STYLE = """
body { font-family: system-ui, sans-serif; max-width: 62rem; margin: 2rem auto; padding: 0 1rem;
       color: #222; line-height: 1.45; }
h1 { margin-bottom: 0.2rem; } h2 { border-bottom: 2px solid #ddd; padding-bottom: 0.2rem;
       margin-top: 2.5rem; }
.note { color: #555; }
table { border-collapse: collapse; margin: 0.6rem 0 1rem; width: 100%; }
th, td { text-align: left; padding: 0.3rem 0.5rem; border-bottom: 1px solid #e4e4e4;
         vertical-align: top; }
th { background: #f4f4f4; } td.num { text-align: right; white-space: nowrap; }
.bar { display: inline-block; height: 0.7rem; background: #d9534f; margin-right: 0.4rem;
       vertical-align: middle; }
.bar.blank { background: #aaa; }
.counts span { margin-right: 1.2rem; } .counts b { font-size: 1.2rem; }
ul.mistakes { margin: 0; padding-left: 1rem; } ul.mistakes li { margin: 0.15rem 0; }
"""


SAID = {
    WRONG_VALUE: "a wrong value no test names (often: it calls another exercise's wrong answer)",
    WRONG_SHAPE: "a wrong shape no test names",
}
"""How the report words what a check could only call off."""


def _points(value):
    """Points as text: 3, 2.5."""
    return f"{value:g}"


def _mean(value):
    """A mean number of points, to one decimal: 4.3."""
    return f"{value:.1f}"


def _share(part, whole):
    """``part`` of ``whole`` as a percentage, e.g. "40 %"."""
    return f"{100 * part / whole:.0f} %" if whole else "–"


def histogram(assignment):
    """The distribution of total scores of an assignment as PNG bytes: students per total, from 0
    to the maximum, one bar per point."""
    totals = list(assignment.totals.values())
    top = max(assignment.maximum, max(totals, default=0.0))
    fig, ax = plt.subplots(figsize=(6, 2.6), dpi=100)
    ax.hist(totals, bins=[b - 0.5 for b in range(int(top) + 2)], color="tab:blue", rwidth=0.85)
    ax.set(
        xlabel=f"total points (of {_points(assignment.maximum)})",
        ylabel="students",
        title=f"{assignment.id}: scores of {len(totals)} graded students",
        xlim=(-0.7, top + 0.7),
    )
    ax.yaxis.get_major_locator().set_params(integer=True)
    ax.xaxis.get_major_locator().set_params(integer=True)
    ax.grid(True, axis="y", linestyle="--", alpha=0.5)
    fig.tight_layout()
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png")
    plt.close(fig)
    return buffer.getvalue()


def page(assignments, names=False, when=None):
    """The whole report as HTML text; ``names`` lists students by id, else none is named."""
    when = when or datetime.datetime.now().strftime("%Y-%m-%d %H:%M")
    parts = [
        "<!DOCTYPE html><html><head><meta charset='utf-8'>",
        "<title>Class report</title>",
        f"<style>{STYLE}</style></head><body>",
        "<h1>What did the class get wrong?</h1>",
        f"<p class='note'>Class report, {html.escape(when)}. "
        + (
            "Students are listed by id."
            if names
            else "No student is named (run <code>course report --names</code> for ids)."
        )
        + " A mistake is counted once per student; a student may make several.</p>",
    ]
    for assignment in assignments:
        parts += _section(assignment, names)
    parts.append("</body></html>")
    return "\n".join(parts)


def _section(assignment, names):
    """The HTML of one assignment."""
    graded = len(assignment.totals)
    parts = [
        f"<h2 id='{html.escape(assignment.id)}'>{html.escape(assignment.id)}</h2>",
        "<p class='counts'>"
        f"<span><b>{graded}</b> graded</span>"
        f"<span><b>{len(assignment.failed)}</b> failed to grade</span>"
        f"<span><b>{len(assignment.missing)}</b> missing</span>"
        + (
            f"<span>mean <b>{_mean(sum(assignment.totals.values()) / graded)}</b>"
            f" of {_points(assignment.maximum)} points</span>"
            if graded
            else ""
        )
        + "</p>",
    ]
    if graded:
        picture = base64.b64encode(histogram(assignment)).decode()
        parts.append(
            f"<img alt='histogram of the total scores of {html.escape(assignment.id)}' "
            f"src='data:image/png;base64,{picture}'>"
        )
    if assignment.failed:
        parts.append("<h3>Failed to grade</h3><table><tr><th>reason</th><th>students</th></tr>")
        for reason, count in assignment.failure_reasons():
            who = [s for s, r in assignment.failed.items() if r == reason]
            shown = f"{count}" + (f": {html.escape(', '.join(who))}" if names else "")
            parts.append(f"<tr><td>{html.escape(reason)}</td><td>{shown}</td></tr>")
        parts.append("</table>")
    if names and assignment.missing:
        parts.append(f"<p>Missing: {html.escape(', '.join(assignment.missing))}</p>")
    parts += _exercises(assignment, names)
    parts += _written(assignment)
    if names and assignment.totals:
        parts.append("<h3>Students</h3><table><tr><th>student</th><th>total</th></tr>")
        for student, total in sorted(assignment.totals.items()):
            parts.append(
                f"<tr><td>{html.escape(student)}</td><td class='num'>{_points(total)}</td></tr>"
            )
        parts.append("</table>")
    return parts


def _exercises(assignment, names):
    """The table of autograded exercises, the one most students lost points on first."""
    ranked = assignment.ranked()
    if not ranked or not assignment.totals:
        return []
    parts = [
        "<h3>Exercises, most points lost first</h3><table><tr><th>exercise</th>"
        "<th>mean points</th><th>full marks</th><th>lost points</th>"
        "<th>mistakes named by failed tests (students; grey: no mistake named)</th></tr>"
    ]
    for exercise in ranked:
        graded = len(exercise.scores)
        items = []
        for mistake in exercise.mistakes:
            count = len(mistake.students)
            width = 8 * count / max(graded, 1)
            who = f" ({html.escape(', '.join(mistake.students))})" if names else ""
            shade = "" if mistake.named else " blank"
            items.append(
                f"<li><span class='bar{shade}' style='width:{width:.2f}rem'></span><b>{count}</b> "
                f"{html.escape(SAID.get(mistake.text, mistake.text))}{who}</li>"
            )
        parts.append(
            f"<tr><td><code>{html.escape(exercise.name)}</code></td>"
            f"<td class='num'>{_mean(exercise.mean)} / {_points(exercise.maximum)}</td>"
            f"<td class='num'>{_share(graded - exercise.lost_points, graded)}</td>"
            f"<td class='num'>{exercise.lost_points} of {graded}</td>"
            f"<td><ul class='mistakes'>{''.join(items) or '<li>none</li>'}</ul></td></tr>"
        )
    parts.append("</table>")
    return parts


def _written(assignment):
    """The written answers: how many are graded by hand, waiting or blank, and their mean."""
    written = [e for e in assignment.exercises if e.written]
    if not written or not assignment.totals:
        return []
    parts = [
        "<h3>Written answers (graded by hand)</h3><table><tr><th>exercise</th>"
        "<th>graded by hand</th><th>waiting for a grader</th><th>left blank</th>"
        "<th>mean points (graded)</th></tr>"
    ]
    for exercise in written:
        mean = f"{_mean(exercise.mean)} / {_points(exercise.maximum)}" if exercise.scores else "–"
        parts.append(
            f"<tr><td><code>{html.escape(exercise.name)}</code></td>"
            f"<td class='num'>{len(exercise.scores)}</td><td class='num'>{exercise.pending}</td>"
            f"<td class='num'>{exercise.blank}</td><td class='num'>{mean}</td></tr>"
        )
    parts.append("</table>")
    return parts


def summary(assignments):
    """A few lines for the terminal: per assignment the counts, the mean, and the exercise most
    students lost points on with its most frequent mistake."""
    lines = []
    for a in assignments:
        graded = len(a.totals)
        if not graded and not a.failed:
            lines.append(f"{a.id}: nothing graded yet")
            continue
        line = f"{a.id}: {graded} graded, {len(a.failed)} failed, {len(a.missing)} missing"
        if graded:
            line += f"; mean {_mean(sum(a.totals.values()) / graded)}/{_points(a.maximum)}"
            worst = a.ranked()[0] if a.ranked() else None
            if worst is not None and worst.lost_points:
                line += f"; most points lost: {worst.name} ({worst.lost_points} students)"
                if worst.mistakes:
                    top = worst.mistakes[0]
                    line += f", most often ({len(top.students)}): {top.text}"
        lines.append(line)
    return "\n".join(lines)
