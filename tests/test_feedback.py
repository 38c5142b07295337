"""Feedback reports: every test shows passed or failed with its message, and no line of a hidden
test's code or a traceback reaches the student."""

import html as html_module
import re

import nbformat
from bank import BANK
from helpers import autograde, fill, secret_lines, submit

from course.grader import pipeline


def test_feedback_says_passed_or_the_mistake_and_hides_hidden_tests(fresh_course):
    assignment_id = "03_mse_loss"
    release = nbformat.read(fresh_course / "release" / assignment_id / f"{assignment_id}.ipynb", 4)
    sums = next(code for label, code, _ in BANK["mse"] if label == "sum")
    right = BANK["loss_by_hand"][0][1]
    submit(
        fresh_course, "f_sum", assignment_id, fill(release, {"mse": sums, "loss_by_hand": right})
    )
    result = autograde(fresh_course, assignment_id, "--student=f_sum")
    assert result.returncode == 0, result.stderr[-2000:]
    assert not pipeline.feedback(fresh_course, [assignment_id], student_id="f_sum")

    page = fresh_course / "feedback" / "f_sum" / assignment_id / f"{assignment_id}.html"
    body = re.sub(r"<(style|script)[^>]*>.*?</\1>", "", page.read_text(), flags=re.S)
    text = html_module.unescape(re.sub(r"<[^>]+>", "", body))
    assert text.count("passed") >= 2  # the two loss_by_hand tests
    assert "sum of the squared errors: the mean divides it by n" in text
    assert "Traceback" not in text and "File " not in text
    source = nbformat.read(fresh_course / "source" / assignment_id / f"{assignment_id}.ipynb", 4)
    hidden_lines = secret_lines(source, hidden_only=True)
    leaked = [line for line in hidden_lines if line in text]
    assert hidden_lines and not leaked, leaked[:3]
