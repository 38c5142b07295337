"""The student's journey in a real browser: JupyterLab started as `make lab` starts it, driven by
Playwright in Debian's chromium. Every notebook runs clean with its plots and LaTeX rendered, an
unanswered one shows the visible test's message, nbgrader's Validate button answers, and the
sliders of 03 redraw the plot and the loss. Screenshots go to screenshots/ (git-ignored)."""

import csv
import json
import os
import shutil
import socket
import subprocess
import time
import urllib.request

import nbformat
import pytest
from helpers import BIN, ROOT, fill, require_tool, run_course, solutions
from nbgrader.api import Gradebook

from course.grader import paths

pytestmark = pytest.mark.browser

FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
]
SHOTS = ROOT / "screenshots"
ALL_RUN = """() => {
  const prompts = [...document.querySelectorAll('.jp-Notebook .jp-CodeCell .jp-InputPrompt')];
  const app = window.jupyterapp;
  const kernel = app.shell.currentWidget.sessionContext.session?.kernel;
  return prompts.length > 0 && prompts.every(p => /\\[\\d+\\]/.test(p.textContent))
    && kernel && kernel.status === 'idle';
}"""


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def lab_env(tmp, **extra):
    """The environment of a JupyterLab with an isolated HOME and quiet settings (no news, every
    cell rendered), the course's interpreter first on PATH, and ``extra`` variables."""
    home = tmp / "home"
    settings = home / "lab-settings"
    for name, value in (
        ("notebook-extension/tracker", {"windowingMode": "none"}),
        ("apputils-extension/notification", {"fetchNews": "false"}),
    ):
        path = settings / "@jupyterlab" / f"{name}.jupyterlab-settings"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(value))
    return dict(
        os.environ,
        HOME=str(home),
        JUPYTERLAB_SETTINGS_DIR=str(settings),
        PATH=BIN + os.pathsep + os.environ["PATH"],
        **extra,
    )


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    """JupyterLab on a fresh workspace (as `make lab`: course start, then jupyter lab), with an
    isolated HOME; solved copies of the notebooks sit in solved/. Yields (url, token, workspace)."""
    require_tool("chromium", "chromium")
    tmp = tmp_path_factory.mktemp("lab")
    workspace = tmp / "workspace"
    env = lab_env(tmp, COURSE_WORKSPACE=str(workspace))
    subprocess.run([f"{BIN}/course", "start"], env=env, check=True, capture_output=True)
    for assignment_id in paths.assignments():
        release = nbformat.read(workspace / assignment_id / f"{assignment_id}.ipynb", 4)
        source = nbformat.read(ROOT / "source" / assignment_id / f"{assignment_id}.ipynb", 4)
        target = workspace / "solved" / assignment_id / f"{assignment_id}.ipynb"
        target.parent.mkdir(parents=True, exist_ok=True)
        nbformat.write(fill(release, solutions(source)), target)
    yield from serve_lab(workspace, env, tmp)


@pytest.fixture(scope="module")
def instructor_lab(tmp_path_factory, request):
    """JupyterLab in a copy of the course with the graded demo class, as an instructor starts it
    to grade by hand (README: jupyter lab, then Nbgrader -> Formgrader)."""
    require_tool("chromium", "chromium")  # before grading the demo: skip at once without it
    graded_demo = request.getfixturevalue("graded_demo")
    tmp = tmp_path_factory.mktemp("instructor")
    course = tmp / "course"
    shutil.copytree(graded_demo, course)
    yield from serve_lab(course, lab_env(tmp, COURSE_ROOT=str(course)), tmp)


def serve_lab(folder, env, tmp):
    """Start ``jupyter lab`` on ``folder`` (its working folder too); yield (url, token, folder)
    once it answers, and stop it afterwards."""
    port, token = free_port(), "course-browser-test"
    log = (tmp / "lab.log").open("w")
    server = subprocess.Popen(
        [
            f"{BIN}/jupyter",
            "lab",
            "--no-browser",
            "--ip=127.0.0.1",
            f"--port={port}",
            f"--ServerApp.token={token}",
            f"--ServerApp.root_dir={folder}",
            "--allow-root",
            "--LabApp.expose_app_in_browser=True",
        ],
        env=env,
        cwd=folder,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(f"{url}/api/status?token={token}", timeout=2)
            break
        except OSError:
            time.sleep(0.5)
    else:
        server.kill()
        pytest.fail(f"JupyterLab did not answer: {(tmp / 'lab.log').read_text()[-2000:]}")
    yield url, token, folder
    server.terminate()
    server.wait(timeout=30)


@pytest.fixture(scope="module")
def browser():
    executable = require_tool("chromium", "chromium")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=executable, headless=True, args=FLAGS)
        yield chromium
        chromium.close()


def open_notebook(browser, lab, relative):
    """A page with the notebook at ``relative`` open and its kernel ready."""
    url, token, _ = lab
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    # a workspace of its own, reset: no tab (and kernel) of an earlier page comes back
    name = relative.replace("/", "-").removesuffix(".ipynb")
    page.goto(f"{url}/lab/workspaces/{name}/tree/{relative}?token={token}&reset")
    page.wait_for_function(
        """() => {
      const w = window.jupyterapp && window.jupyterapp.shell.currentWidget;
      return w && w.sessionContext && w.sessionContext.session?.kernel?.status === 'idle';
    }""",
        timeout=90_000,
    )
    return page


def run(page, command):
    page.evaluate(f"() => window.jupyterapp.commands.execute('{command}')")


def shoot(page, name):
    SHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


@pytest.mark.parametrize("assignment_id", paths.assignments())
def test_solved_notebook_runs_clean_with_plots_and_latex(browser, lab, assignment_id):
    page = open_notebook(browser, lab, f"solved/{assignment_id}/{assignment_id}.ipynb")
    run(page, "notebook:run-all-cells")
    page.wait_for_function(ALL_RUN, timeout=120_000)
    errors = page.locator('.jp-OutputArea-output[data-mime-type="application/vnd.jupyter.stderr"]')
    assert errors.count() == 0, errors.all_inner_texts()[:2]
    widths = page.eval_on_selector_all(
        ".jp-RenderedImage img", "els => els.map(e => e.naturalWidth)"
    )
    assert widths and all(w > 100 for w in widths), widths
    assert page.locator(".jp-MarkdownCell mjx-container").count() > 0
    prose = page.evaluate("""() => [...document.querySelectorAll('.jp-RenderedMarkdown')].map(n => {
        const copy = n.cloneNode(true);
        copy.querySelectorAll('code, pre, mjx-container').forEach(e => e.remove());
        return copy.textContent; }).join(' ')""")
    for raw in ("$$", "\\frac", "\\mathbf", "\\hat", "\\sum"):
        assert raw not in prose, f"unrendered LaTeX: {raw}"
    shoot(page, f"{assignment_id}-solved")
    page.close()


def run_up_to_first_test(page, answer=None):
    """As a student does: put ``answer`` (if any) in the first answer cell, run the cells above
    the first test cell, then the test; return the test's output text."""
    cells = page.evaluate("""() => window.jupyterapp.shell.currentWidget.content.widgets.map(
        c => [c.model.type, (c.model.getMetadata('nbgrader') || {}).grade === true,
              (c.model.getMetadata('nbgrader') || {}).solution === true])""")
    test = next(
        i
        for i, (kind, graded, solution) in enumerate(cells)
        if kind == "code" and graded and not solution
    )
    if answer is not None:
        first = next(
            i for i, (kind, _, solution) in enumerate(cells) if kind == "code" and solution
        )
        page.evaluate(f"""() => window.jupyterapp.shell.currentWidget.content.widgets[{first}]
            .model.sharedModel.setSource({json.dumps(answer)})""")
    for index in [i for i, (kind, _, _) in enumerate(cells[: test + 1]) if kind == "code"]:
        page.evaluate(
            f"() => {{ window.jupyterapp.shell.currentWidget.content.activeCellIndex = {index}; }}"
        )
        run(page, "notebook:run-cell")
        page.wait_for_function(
            f"""() => /\\[\\d+\\]/.test(window.jupyterapp.shell.currentWidget
            .content.widgets[{index}].node.querySelector('.jp-InputPrompt').textContent)"""
        )
    return page.evaluate(f"""() => window.jupyterapp.shell.currentWidget.content.widgets[{test}]
        .node.querySelector('.jp-OutputArea').innerText""")


def test_unanswered_notebook_explains_the_failing_test(browser, lab):
    page = open_notebook(browser, lab, "01_matrix_multiplication/01_matrix_multiplication.ipynb")
    output = run_up_to_first_test(page)
    assert "CheckError" in output, output
    assert "replace the line" in output or "is not defined yet: run your answer cell" in output
    shoot(page, "01_matrix_multiplication-unanswered")
    page.close()


def test_a_wrong_answer_is_named_where_the_student_works(browser, lab):
    """The loss by hand summed instead of averaged: the visible test says so in JupyterLab."""
    page = open_notebook(browser, lab, "03_mse_loss/03_mse_loss.ipynb")
    output = run_up_to_first_test(page, answer="loss_by_hand = 0.19")
    assert "That is the sum of the squared errors: the mean divides it by n = 3." in output, output
    assert "Cell In[" not in output and "raise CheckError" not in output, output  # message only
    shoot(page, "03_mse_loss-wrong-answer")
    page.close()


def validate(browser, lab, relative):
    """Click nbgrader's Validate button; return the text of the dialog it opens."""
    page = open_notebook(browser, lab, relative)
    page.get_by_role("button", name="Validate").click()
    dialog = page.locator(".jp-Dialog")
    dialog.wait_for(timeout=120_000)
    page.wait_for_function(
        """() => !/validating/i.test(
        document.querySelector('.jp-Dialog').innerText)""",
        timeout=120_000,
    )
    text = dialog.inner_text()
    shoot(page, "validate-" + relative.split("/")[-1].removesuffix(".ipynb"))
    page.close()
    return text


def test_validate_button_tells_the_student(browser, lab):
    solved = validate(browser, lab, "solved/03_mse_loss/03_mse_loss.ipynb")
    assert "Success! Your notebook passes all the tests." in solved, solved
    unanswered = validate(browser, lab, "01_matrix_multiplication/01_matrix_multiplication.ipynb")
    assert "NotImplementedError" in unanswered and "Success" not in unanswered, unanswered


def test_moving_the_w_slider_redraws_the_plot_and_the_loss(browser, lab):
    page = open_notebook(browser, lab, "solved/03_mse_loss/03_mse_loss.ipynb")
    run(page, "notebook:run-all-cells")
    page.wait_for_function(ALL_RUN, timeout=120_000)
    view = page.locator(".widget-vbox").last
    readout = view.locator(".widget-html").first
    image = view.locator("img").first
    image.wait_for(timeout=60_000)
    before = readout.inner_text(), image.get_attribute("src")
    handle = view.locator(".widget-slider").first.locator(".noUi-handle").first
    handle.scroll_into_view_if_needed()
    handle.focus()
    for _ in range(20):
        page.keyboard.press("ArrowRight")
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and readout.inner_text() == before[0]:
        page.wait_for_timeout(250)
    after = readout.inner_text(), image.get_attribute("src")
    assert after[0] != before[0] and "w = 0.00" not in after[0], (before[0], after[0])
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and image.get_attribute("src") == before[1]:
        page.wait_for_timeout(250)
    assert image.get_attribute("src") != before[1]
    shoot(page, "03_mse_loss-slider")
    page.close()


COMMENT = "Right: not converged, the valley is flat along one direction. Say why 0.85 diverges."


def hand_grade(course, student, grade_id):
    """(manual score, comment) of a written answer in the gradebook."""
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gb:
        grade = gb.find_grade(grade_id, "05_training_loop", "05_training_loop", student)
        comment = gb.find_comment(grade_id, "05_training_loop", "05_training_loop", student)
        return grade.manual_score, comment.manual_comment


def test_an_instructor_grades_a_written_answer_in_formgrader(browser, instructor_lab):
    """Formgrader from JupyterLab's menu: a written answer gets points and a comment, and the
    export, the class report and the student's feedback then hold them."""
    url, token, course = instructor_lab
    assert hand_grade(course, "demo_complete", "convergence") == (None, None)
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
    score.fill("3")
    score.press("Tab")
    comment = frame.locator("#convergence-comment")
    comment.fill(COMMENT)
    comment.press("Tab")
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and hand_grade(course, "demo_complete", "convergence") != (
        3.0,
        COMMENT,
    ):
        time.sleep(0.5)
    assert hand_grade(course, "demo_complete", "convergence") == (3.0, COMMENT)
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
