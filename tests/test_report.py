"""The class report and the grades out, as the instructor meets them: ``course report`` writes an
HTML page and a summary in the terminal; ``course export --format canvas`` a CSV for Canvas;
formgrader in JupyterLab, where a written answer is graded by hand (marker ``browser``).

Run on the demo class of submitted/ (built by tests/make_demo.py), graded afresh (the fixture
graded_demo): demo_partial makes the first wrong answer of the bank in every other exercise,
demo_blank answers nothing, demo_complete everything. The report must count exactly that class."""

import base64
import csv
import html
import json
import re
import shutil
import subprocess
import time

import pytest
from bank import BANK, MESSAGES
from browsing import lab_env, serve_lab, shoot
from contract import CONTRACT, MANUAL
from helpers import ROOT, make_course, require_tool, run_course
from nbgrader.api import Gradebook

from course.checks import NOT_ANSWERED
from course.grader import classreport

DEMO = ("demo_blank", "demo_complete", "demo_partial")


def demo_mistakes(assignment_id):
    """{exercise: {mistake words: [students]}} as the demo class was built."""
    coded = [e for e in CONTRACT[assignment_id] if e not in MANUAL]
    built = {}
    for index, exercise in enumerate(coded):
        built[exercise] = {NOT_ANSWERED: ["demo_blank"]}
        if index % 2 == 0:
            label = next(label for label, _, ok in BANK[exercise] if not ok)
            built[exercise][MESSAGES[exercise, label]] = ["demo_partial"]
    return built


@pytest.fixture(scope="module")
def report(tmp_path_factory, graded_demo):
    """The report of the demo class: (finished command, HTML text)."""
    output = tmp_path_factory.mktemp("report") / "class-report.html"
    result = run_course("report", "--output", str(output), COURSE_ROOT=graded_demo)
    return result, output.read_text() if output.exists() else ""


def without_pictures(page):
    """The HTML without its embedded images (base64 text may hold any letters)."""
    return re.sub(r"data:image/png;base64,[A-Za-z0-9+/=]+", "", page)


@pytest.mark.parametrize("assignment_id", list(CONTRACT))
def test_the_report_counts_the_mistakes_the_class_made(report, graded_demo, assignment_id):
    result, page = report
    assert result.returncode == 0, result.stderr
    (found,) = classreport.collect(graded_demo, [assignment_id])
    assert sorted(found.totals) == list(DEMO) and not found.failed and not found.missing
    for exercise, built in demo_mistakes(assignment_id).items():
        groups = next(e for e in found.exercises if e.name == exercise).mistakes
        for words, students in built.items():
            holding = [m for m in groups if words in m.text]
            assert len(holding) == 1, (exercise, words, [m.text for m in groups])
            assert holding[0].students == students, (exercise, words)
            assert f"<b>{len(students)}</b> {html.escape(holding[0].text)}" in page
        assert [m.named for m in groups] == sorted((m.named for m in groups), reverse=True)
        # a right answer that calls a wrong one (outer through matmul, fit through gd_step) fails
        # too: only demo_partial has wrong answers to call
        others = [m for m in groups if not any(words in m.text for words in built)]
        assert all(m.students == ["demo_partial"] for m in others), (exercise, others)


def test_the_report_ranks_exercises_and_names_nobody(report, graded_demo):
    result, page = report
    assert result.returncode == 0, result.stderr
    assert not re.search(r"demo_\w+", without_pictures(page)), "no student is named by default"
    pictures = re.findall(r"data:image/png;base64,([A-Za-z0-9+/=]+)", page)
    assert len(pictures) == len(CONTRACT)
    assert all(base64.b64decode(p).startswith(b"\x89PNG") for p in pictures)
    assert "<script" not in page and "http" not in without_pictures(page), "opens offline"
    lines = result.stdout.splitlines()
    for assignment_id in CONTRACT:
        (line,) = [x for x in lines if x.startswith(f"{assignment_id}: ")]
        assert "3 graded, 0 failed, 0 missing" in line and "most points lost: " in line
    (found,) = classreport.collect(graded_demo, ["05_training_loop"])
    lost = [e.lost_points for e in found.ranked()]
    assert lost == sorted(lost, reverse=True)
    written = next(e for e in found.exercises if e.written)
    assert (len(written.scores), written.pending, written.blank) == (0, 2, 1)


def test_a_report_that_cannot_be_written_says_so_in_one_line(tmp_path, graded_demo):
    output = tmp_path / "no such folder" / "report.html"
    result = run_course("report", "02_prediction", "--output", output, COURSE_ROOT=graded_demo)
    assert result.returncode == 1
    assert result.stderr.strip() == (
        f"course report: cannot write {output}: No such file or directory"
    )


def test_names_are_shown_only_when_asked(tmp_path, graded_demo):
    output = tmp_path / "named.html"
    result = run_course(
        "report", "05_training_loop", "--names", "--output", output, COURSE_ROOT=graded_demo
    )
    assert result.returncode == 0, result.stderr
    page = output.read_text()
    assert all(student in page for student in DEMO)
    assert "06_many_features" not in page


def test_a_report_without_grades_says_what_to_do(tmp_path):
    bare = tmp_path / "bare"
    bare.mkdir()
    shutil.copytree(ROOT / "source", bare / "source")
    result = run_course("report", COURSE_ROOT=bare)
    assert result.returncode == 1
    assert result.stderr.strip() == (
        "course report: there is no gradebook yet: run `course autograde` first"
    )
    for how in (["export"], ["export", "--format", "canvas"]):
        result = run_course(*how, COURSE_ROOT=bare)
        assert result.returncode == 1 and result.stderr.strip() == (
            "course export: there is no gradebook yet: run `course autograde` first"
        )
    assert not (bare / "gradebook.db").exists(), "nothing is created"
    empty = make_course(tmp_path / "empty", ["02_prediction"])
    result = run_course("report", "02_prediction", COURSE_ROOT=empty)
    assert result.returncode == 1
    assert result.stderr.strip() == (
        "course report: no submission of 02_prediction is graded yet: run `course autograde` first"
    )
    assert not (empty / "class-report.html").exists()
    result = run_course("report", "07_nothing", COURSE_ROOT=empty)
    assert result.returncode == 2 and "unknown assignment 07_nothing" in result.stderr


def test_the_canvas_export_has_canvas_columns_and_the_totals(tmp_path, graded_demo):
    canvas, points = tmp_path / "canvas.csv", tmp_path / "points.csv"
    result = run_course("export", "--format", "canvas", "--output", canvas, COURSE_ROOT=graded_demo)
    assert result.returncode == 0 and "3 rows written" in result.stdout, result.stderr
    assert run_course("export", "--output", points, COURSE_ROOT=graded_demo).returncode == 0
    rows = list(csv.reader(canvas.open()))
    ids = list(CONTRACT)
    assert rows[0] == ["Student", "ID", "SIS User ID", "SIS Login ID", "Section", *ids]
    assert rows[1][:5] == ["Points Possible", "", "", "", ""]
    totals = {(r["student"], r["assignment"]): r for r in csv.DictReader(points.open())}
    for column, assignment_id in enumerate(ids, start=5):
        assert rows[1][column] == totals["demo_complete", assignment_id]["max_score"]
    assert [r[0] for r in rows[2:]] == list(DEMO)
    statuses = {t["status"] for t in totals.values()}
    assert statuses == {"graded", "pending"}, statuses  # the demo's written answers wait
    for row in rows[2:]:
        assert row[2] == row[3] == row[0]
        for column, assignment_id in enumerate(ids, start=5):
            mine = totals[row[0], assignment_id]
            posted = mine["total"] if mine["status"] == "graded" else ""  # pending: left empty
            assert row[column] == posted, (row[0], assignment_id)


def test_a_mistake_is_known_by_its_words_not_its_numbers():
    key = classreport.mistake_key
    assert key("The learning rate eta you were given was ignored (this is eta = 0.1).") == key(
        "The learning rate eta you were given was ignored."
    )
    assert key("Every epoch visited the samples in the same order: make the generator once.") == (
        key("Every epoch visited the samples in the same order: before the loop, not in it.")
    )
    assert key("Half the gradient: the factor 2 is missing.") != key(
        "That is n times the gradient: divide the sum by n."
    )
    assert key("y_hat_by_hand: prediction 2 is not right.") != key(
        "y_hat_by_hand: the weights are paired with the wrong columns."
    ), "a name before the colon is not the mistake"


@pytest.fixture(scope="module")
def instructor_lab(tmp_path_factory, request):
    """JupyterLab in a copy of the course with the graded demo class, as an instructor starts it
    to grade by hand (README: jupyter lab, then Nbgrader -> Formgrader)."""
    require_tool("chromium", "chromium")  # before grading the demo: skip at once without it
    graded_demo = request.getfixturevalue("graded_demo")
    tmp = tmp_path_factory.mktemp("instructor")
    course = tmp / "course"
    shutil.copytree(graded_demo, course)
    instructor = ROOT / "lab" / "instructor"  # as `make instructor` starts it
    env = lab_env(tmp, COURSE_ROOT=str(course), JUPYTER_CONFIG_PATH=str(instructor),
                  JUPYTER_PATH=str(instructor / "share"))
    yield from serve_lab(course, env, tmp)


COMMENT = "Right: not converged, the valley is flat along one direction. Say why 0.85 diverges."


def graded(course, student="demo_complete", grade_id="convergence"):
    """(manual score, comment) of a written answer of 05 in the gradebook."""
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gb:
        grade = gb.find_grade(grade_id, "05_training_loop", "05_training_loop", student)
        comment = gb.find_comment(grade_id, "05_training_loop", "05_training_loop", student)
        return grade.manual_score, comment.manual_comment


@pytest.mark.browser
def test_an_instructor_grades_a_written_answer_in_formgrader(browser, instructor_lab):
    """Formgrader from JupyterLab's menu: a written answer gets points and a comment, and the
    export, the class report and the student's feedback then hold them."""
    url, token, course = instructor_lab
    assert graded(course) == (None, None)
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    page.goto(f"{url}/lab/workspaces/grading?token={token}&reset")
    page.wait_for_function("() => window.jupyterapp && window.jupyterapp.shell", timeout=90_000)
    page.get_by_role("menuitem", name="Nbgrader").click()
    page.get_by_role("menuitem", name="Formgrader", exact=True).click()
    frame = page.frame_locator("iframe").first
    frame.get_by_role("link", name="Manual Grading").click()
    frame.locator("a", has_text="05_training_loop").first.click()
    frame.locator("tbody a", has_text="05_training_loop").first.click()
    frame.locator("a.name-hidden", has_text="Submission #").first.wait_for(timeout=60_000)
    frame.get_by_role("button", name="Show All Names").click()
    frame.get_by_role("link", name="demo_complete").click()
    score = frame.locator("#convergence")
    score.wait_for(timeout=60_000)
    # the notebook's maths, typeset by the server's own MathJax (no network here)
    grading = next(f for f in page.frames if "/formgrader/submissions/" in f.url)
    sources = grading.evaluate("() => [...document.scripts].map(s => s.src)")
    assert any(s.endswith("/static/MathJax.js?config=TeX-AMS_CHTML-full,Safe") for s in sources)
    assert not [s for s in sources if "cdnjs" in s], sources
    grading.wait_for_function("() => document.querySelector('.MathJax, .MathJax_CHTML')",
                              timeout=60_000)
    comment = frame.locator("#convergence-comment")
    for _ in range(3):  # on a busy machine, a field typed into before its page is wired is lost
        score.fill("3")
        score.press("Tab")
        comment.fill(COMMENT)
        comment.press("Tab")
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline and graded(course) != (3.0, COMMENT):
            time.sleep(0.5)
        if graded(course) == (3.0, COMMENT):
            break
    assert graded(course) == (3.0, COMMENT)
    score.scroll_into_view_if_needed()
    shoot(page, "formgrader-written-answer")
    page.close()

    exported = course / "grades.csv"
    assert run_course("export", "--output", exported, COURSE_ROOT=course).returncode == 0
    rows = {(r["student"], r["assignment"]): r for r in csv.DictReader(exported.open())}
    assert rows["demo_complete", "05_training_loop"]["convergence"] == "3"
    report = course / "class-report.html"
    result = run_course("report", "05_training_loop", "--output", report, COURSE_ROOT=course)
    assert result.returncode == 0, result.stderr
    page_text = report.read_text()
    written = page_text[page_text.index("Written answers") :]
    assert "<code>convergence</code></td><td class='num'>1</td>" in written
    assert "3.0 / 4" in written
    result = run_course("feedback", "05_training_loop", COURSE_ROOT=course)
    assert result.returncode == 0, result.stdout + result.stderr
    feedback = course / "feedback" / "demo_complete" / "05_training_loop" / "05_training_loop.html"
    assert COMMENT in feedback.read_text()


def test_remove_demo_starts_a_real_class_and_keeps_everyone_else(tmp_path, graded_demo):
    """After `course remove-demo`, nothing of the demo class is left in the gradebook, the
    status, the folders, the exports or the report; a real student's work is untouched."""
    root = tmp_path / "course"
    shutil.copytree(graded_demo, root)
    mine = root / "submitted" / "alice" / "03_mse_loss" / "03_mse_loss.ipynb"
    mine.parent.mkdir(parents=True)
    mine.write_text("alice's work")
    result = run_course("remove-demo", COURSE_ROOT=root)
    assert result.returncode == 0, result.stderr
    assert "removed  gradebook: demo_partial" in result.stdout
    assert "removed  autograded/demo_blank/" in result.stdout
    for folder in ("submitted", "autograded", "feedback"):
        assert not list((root / folder).glob("demo_*")), folder
    status = json.loads((root / "grading-status.json").read_text())
    assert not [s for s in status if s.startswith("demo_")]
    assert mine.read_text() == "alice's work"
    exported = run_course("export", COURSE_ROOT=root)
    assert exported.returncode == 0 and "demo_" not in exported.stdout
    assert "alice" in exported.stdout
    canvas = run_course("export", "--format", "canvas", COURSE_ROOT=root)
    assert "demo_" not in canvas.stdout
    report = run_course("report", "--output", str(tmp_path / "r.html"), COURSE_ROOT=root)
    assert report.returncode == 1 and "is graded yet" in report.stderr
    again = run_course("remove-demo", COURSE_ROOT=root)
    assert again.returncode == 0 and "There is no demo class here." in again.stdout


def test_the_clone_keeps_a_class_out_of_commits():
    """Real students' work, graded copies and grade files are git-ignored; the demo is not."""
    paths = [
        "submitted/alice/03_mse_loss/03_mse_loss.ipynb",
        "autograded/demo_complete/03_mse_loss/03_mse_loss.ipynb",
        "autograded/alice/03_mse_loss/03_mse_loss.ipynb",
        "feedback/alice/03_mse_loss/03_mse_loss.html",
        "grades.csv",
        "canvas.csv",
        "gradebook.db",
        "grading-status.json",
    ]
    ignored = subprocess.run(
        ["git", "check-ignore", "--no-index", *paths], cwd=ROOT, capture_output=True, text=True
    ).stdout.split()
    assert ignored == paths
    kept = subprocess.run(
        [
            "git",
            "check-ignore",
            "--no-index",
            "submitted/demo_complete/03_mse_loss/03_mse_loss.ipynb",
        ],
        cwd=ROOT,
        capture_output=True,
    )
    assert kept.returncode == 1  # not ignored
