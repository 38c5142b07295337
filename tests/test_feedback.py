"""Feedback reports: every test shows passed or failed with its message, and no line of a hidden
test's code or a traceback reaches the student."""

import nbformat
from bank import BANK
from helpers import autograde, feedback_cells, fill, leaked, secret_lines, submit

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
    cells = feedback_cells(page.read_text())
    text = "\n".join(cells.values())
    for passing in ("test_loss_by_hand_form", "test_loss_by_hand_value"):
        assert cells[passing].rstrip().endswith("passed"), cells[passing][-300:]
    for failing in ("test_mse_example", "test_mse_values"):
        said = " ".join(cells[failing].split())  # the message's lines joined
        assert "sum of the squared errors: the mean divides it by n" in said, said
        assert not cells[failing].rstrip().endswith("passed")
    assert "Traceback" not in text and "File " not in text
    source = nbformat.read(fresh_course / "source" / assignment_id / f"{assignment_id}.ipynb", 4)
    hidden_lines = secret_lines(source, hidden_only=True)
    assert hidden_lines and leaked(hidden_lines, text) == []
