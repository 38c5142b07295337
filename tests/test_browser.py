"""The student's journey in a real browser: JupyterLab started as `make lab` starts it, driven by
Playwright in Debian's chromium. Every notebook runs clean with its plots and LaTeX rendered, an
unanswered one shows the visible test's message, nbgrader's Validate button answers, and the
sliders of 03 redraw the plot and the loss. Screenshots go to screenshots/ (git-ignored). The
instructor's side (formgrader) is in test_report."""

import json
import subprocess
import time

import nbformat
import pytest
from browsing import lab_env, serve_lab, shoot
from helpers import BIN, ROOT, fill, require_tool, solutions

from course.grader import paths

pytestmark = pytest.mark.browser

ALL_RUN = """() => {
  const prompts = [...document.querySelectorAll('.jp-Notebook .jp-CodeCell .jp-InputPrompt')];
  const app = window.jupyterapp;
  const kernel = app.shell.currentWidget.sessionContext.session?.kernel;
  return prompts.length > 0 && prompts.every(p => /\\[\\d+\\]/.test(p.textContent))
    && kernel && kernel.status === 'idle';
}"""


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
    text = page.evaluate(f"""() => window.jupyterapp.shell.currentWidget.content.widgets[{test}]
        .node.querySelector('.jp-OutputArea').innerText""")
    return " ".join(text.split())  # the message's lines joined (a check wraps them)


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


def test_a_notebook_opens_unmodified(browser, lab):
    """JupyterLab marks a notebook modified when the kernel's language information differs from
    the file's: `course start` writes this interpreter's, so opening changes nothing."""
    page = open_notebook(browser, lab, "03_mse_loss/03_mse_loss.ipynb")
    page.wait_for_timeout(1000)
    assert page.evaluate("() => window.jupyterapp.shell.currentWidget.model.dirty") is False
    page.close()
