"""A class on the course's JupyterHub, end to end, with real Unix users and nbgrader's exchange.

``hub/hubctl.py`` sets up the hub (its own root, ports and demo users, apart from a hub a user may
run here), starts it, and the tests drive it as the people do: the instructor releases from the
course root; each student, through their own single-user server (the hub's REST API and nbgrader's
assignment-list extension, or chromium through the login page and JupyterLab's Assignments tab),
fetches, answers, validates and submits; the instructor collects, grades (sandboxed, from the
shared installed package), exports, writes and releases feedback; each student fetches and reads
their own page. Then who may see what, each both ways, and a stop that leaves no process.
The tests run in order, each on the class the one before left.
"""

import csv
import html
import io
import json
import os
import pwd
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import nbformat
import pytest
from bank import BANK, MESSAGES
from browsing import SHOTS
from helpers import (
    ROOT,
    feedback_cells,
    leaked,
    require_tool,
    secret_lines,
    skip_or_fail,
    solutions,
)

pytestmark = pytest.mark.hub

HUBCTL = ROOT / "hub" / "hubctl.py"
HUB_ROOT = Path("/srv/regression-course-test")
PREFIX = "hubtest-"
COURSE = "regression-from-scratch"
ASSIGNMENT = "03_mse_loss"
INSTRUCTOR = f"{PREFIX}instructor"
STUDENTS = [f"{PREFIX}student{i}" for i in (1, 2, 3)]
ANSWERS = {STUDENTS[0]: "right", STUDENTS[1]: "sum", STUDENTS[2]: "hard-coded"}
"""What each student answers for ``mse``: the source's solution, a typical mistake, a hard-coded
number (student 3 goes through the browser)."""


def free_ports(count=4):
    """The first of ``count`` consecutive free ports on 127.0.0.1, from 18000."""
    for first in range(18000, 19000, 10):
        try:
            for port in range(first, first + count):
                with socket.socket() as probe:
                    probe.bind(("127.0.0.1", port))
        except OSError:
            continue
        return first
    raise RuntimeError("no free ports")


def hubctl(*args, env, check=True, user=None):
    # hubctl needs no more than the standard library: run it as an unprivileged user with the
    # system's Python (this suite's may sit in root's home)
    python = "/usr/bin/python3" if user and Path("/usr/bin/python3").exists() else sys.executable
    command = [python, str(HUBCTL), *args]
    if user:
        command = ["runuser", "-u", user, "--", *command]
    result = subprocess.run(command, env=env, capture_output=True, text=True, timeout=600)
    if check:
        assert result.returncode == 0, result.stdout + result.stderr
    return result


class Hub:
    """The running hub: its URL, the admin service token, the demo password, as_user()."""

    def __init__(self, env):
        self.env = env
        self.url = f"http://127.0.0.1:{env['HUB_PORT']}"
        self.token = (HUB_ROOT / "state" / "admin-token").read_text().strip()
        self.password = (HUB_ROOT / "state" / "demo-password").read_text().strip()
        self.course_root = Path(pwd.getpwnam(INSTRUCTOR).pw_dir) / COURSE

    def api(self, method, path, body=None, token=None, form=None):
        """(status, parsed JSON or text) of a request to the hub's proxy."""
        data = None
        headers = {"Authorization": f"token {token or self.token}"}
        if body is not None:
            data, headers["Content-Type"] = json.dumps(body).encode(), "application/json"
        if form is not None:
            data = "&".join(f"{k}={v}" for k, v in form.items()).encode()
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        request = urllib.request.Request(self.url + path, data, headers, method=method)
        try:
            with urllib.request.urlopen(request, timeout=60) as response:
                status, text = response.status, response.read().decode()
        except urllib.error.HTTPError as error:
            status, text = error.code, error.read().decode()
        except urllib.error.URLError as error:  # not listening (yet)
            return 0, str(error)
        try:
            return status, json.loads(text)
        except json.JSONDecodeError:
            return status, text

    def spawn(self, user):
        """Start ``user``'s single-user server through the REST API; wait until it is ready."""
        status, body = self.api("POST", f"/hub/api/users/{user}/server")
        assert status in (201, 202, 400), (status, body)  # 400: already running
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            _, info = self.api("GET", f"/hub/api/users/{user}")
            if info["servers"].get("", {}).get("ready"):
                return
            time.sleep(0.5)
        pytest.fail(f"{user}'s server did not start: {info}")

    def as_user(self, user, *command, cwd=None):
        """Run ``command`` as the Unix ``user`` in the hub's environment (a terminal of theirs)."""
        home = pwd.getpwnam(user).pw_dir
        env = {
            "PATH": f"{HUB_ROOT / 'env' / 'bin'}:/usr/bin:/bin",
            "HOME": home,
            "USER": user,
            "LANG": "C.UTF-8",
            "JUPYTER_CONFIG_PATH": str(HUB_ROOT / "config" / "common"),
        }
        if user == INSTRUCTOR:  # as in a terminal of the instructor's formgrader service
            env |= {"COURSE_MATHJAX_URL": "/hub/mathjax/MathJax.js",
                    "JUPYTER_PATH": str(HUB_ROOT / "config" / "share")}
        return subprocess.run(
            ["runuser", "-u", user, "--", "env", "-i", *(f"{k}={v}" for k, v in env.items()),
             *command],
            cwd=cwd or "/", capture_output=True, text=True, errors="replace", timeout=600,
        )


@pytest.fixture(scope="module")
def hub():
    """The course's hub with its demo class, started by hubctl; stopped and removed after."""
    if os.geteuid() != 0:
        skip_or_fail("the hub tests need root: they make Unix users and start servers as them")
    require_tool("npm", "npm")
    require_tool("bwrap", "bubblewrap")
    port = free_ports()
    env = dict(os.environ, HUB_ROOT=str(HUB_ROOT), HUB_PORT=str(port), HUB_DEMO_PREFIX=PREFIX)
    env.pop("COURSE_ROOT", None)
    hubctl("stop", env=env, check=False)
    hubctl("remove-demo", env=env)
    hubctl("demo", env=env)
    log = (HUB_ROOT / "state" / "test-hub.log").open("w")
    server = subprocess.Popen([sys.executable, str(HUBCTL), "start"], env=env, stdout=log,
                              stderr=subprocess.STDOUT)
    running = Hub(env)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        status, _ = running.api("GET", f"/services/{COURSE}/api/status")
        if status == 403:  # the formgrader service answers (and keeps the admin token out)
            break
        assert server.poll() is None, (HUB_ROOT / "state" / "test-hub.log").read_text()[-3000:]
        time.sleep(0.5)
    else:
        pytest.fail("the hub or its formgrader service did not start")
    yield running
    hubctl("stop", env=env, check=False)
    server.wait(timeout=60)
    hubctl("remove-demo", env=env)


def release_notebook(hub):
    return nbformat.read(hub.course_root / "release" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb", 4)


def answers_for(kind):
    """The answer cells of a student who answers ``mse`` the ``kind`` way, the rest right."""
    source = nbformat.read(ROOT / "source" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb", 4)
    answers = solutions(source)
    if kind != "right":
        answers["mse"] = next(text for label, text, *_ in BANK["mse"] if label == kind)
    return answers


def put_notebook(hub, user, nb):
    """Save ``nb`` as the student's fetched notebook, through their server's contents API (as
    JupyterLab saves it)."""
    path = f"/user/{user}/api/contents/{ASSIGNMENT}/{ASSIGNMENT}.ipynb"
    status, body = hub.api("PUT", path, {"type": "notebook", "format": "json", "content": nb})
    assert status in (200, 201), (status, body)


def fill(nb, answers):
    for cell in nb.cells:
        grade_id = cell.metadata.get("nbgrader", {}).get("grade_id")
        if grade_id in answers:
            cell.source = answers[grade_id]
    return nb


def test_the_instructor_releases_and_two_students_fetch_answer_and_submit(hub):
    released = hub.as_user(INSTRUCTOR, "nbgrader", "release_assignment", ASSIGNMENT,
                           cwd=hub.course_root)
    assert released.returncode == 0, released.stderr[-2000:]
    assert f"Released as: {COURSE} {ASSIGNMENT}" in released.stderr
    for student in STUDENTS[:2]:
        hub.spawn(student)
        status, listed = hub.api("GET", f"/user/{student}/assignments?course_id={COURSE}")
        assert status == 200 and listed["success"], listed
        assert [(a["assignment_id"], a["status"]) for a in listed["value"]] == [
            (ASSIGNMENT, "released")
        ]
        form = {"course_id": COURSE, "assignment_id": ASSIGNMENT}
        status, fetched = hub.api("POST", f"/user/{student}/assignments/fetch", form=form)
        assert status == 200 and fetched["success"], fetched
        assert fetched["value"][0]["status"] == "fetched"
        nb = fill(release_notebook(hub), answers_for(ANSWERS[student]))
        put_notebook(hub, student, nb)
        status, submitted = hub.api("POST", f"/user/{student}/assignments/submit", form=form)
        assert status == 200 and submitted["success"], submitted
        assert any(a["status"] == "submitted" for a in submitted["value"]), submitted


def test_a_student_fetches_validates_and_submits_in_jupyterlab_through_the_login_page(
    hub, browser
):
    student = STUDENTS[2]
    page = browser.new_page(viewport={"width": 1400, "height": 900})
    page.goto(f"{hub.url}/hub/login")
    page.fill("#username_input", student)
    page.fill("#password_input", hub.password)
    shoot(page, "hub-1-login")
    page.click("#login_submit")
    page.wait_for_url(f"**/user/{student}/lab**", timeout=120_000)
    page.wait_for_selector(".jp-LabShell", timeout=120_000)
    page.get_by_text("Nbgrader", exact=True).click()
    menu = page.locator("#jp-mainmenu-nbgrader")
    menu.wait_for()
    shoot(page, "hub-2-nbgrader-menu")
    # a student's menu: the assignment list, none of the instructor's tools
    assert menu.inner_text().split() == ["Assignment", "List"], menu.inner_text()
    page.get_by_text("Assignment List", exact=True).click()
    released = page.locator("#released_assignments_list")
    released.get_by_text(ASSIGNMENT).wait_for(timeout=60_000)
    shoot(page, "hub-3-assignments-released")
    released.get_by_role("button", name="Fetch").click()
    fetched = page.locator("#fetched_assignments_list")
    expand = fetched.locator(".assignment-notebooks-link")
    expand.wait_for(timeout=60_000)
    # the student's answer arrives as JupyterLab saves it; then they open and validate it
    put_notebook(hub, student, fill(release_notebook(hub), answers_for(ANSWERS[student])))
    expand.click()
    notebooks = fetched.locator(f"#nbgrader-{COURSE}-{ASSIGNMENT}")
    notebooks.get_by_text(ASSIGNMENT, exact=True).click()
    page.locator(".jp-NotebookPanel .jp-Cell").first.wait_for(timeout=60_000)
    shoot(page, "hub-4-notebook-open")
    page.get_by_role("button", name="Validate").click()
    dialog = page.locator(".jp-Dialog")
    dialog.wait_for(timeout=120_000)
    page.wait_for_function(
        "() => !/validating/i.test(document.querySelector('.jp-Dialog').innerText)",
        timeout=120_000,
    )
    validated = dialog.inner_text()
    shoot(page, "hub-5-validate")
    assert "mse" in validated and "Success" not in validated, validated
    dialog.locator(".jp-mod-accept").click()
    page.get_by_text("Nbgrader", exact=True).click()
    page.get_by_text("Assignment List", exact=True).click()
    fetched = page.locator("#fetched_assignments_list")
    fetched.get_by_role("button", name="Submit").click()
    page.locator("#submitted_assignments_list").get_by_text(ASSIGNMENT).wait_for(
        timeout=60_000
    )
    shoot(page, "hub-6-submitted")
    page.close()


def shoot(page, name):
    SHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"))


def test_the_instructor_collects_grades_exports_and_releases_feedback(hub):
    root = hub.course_root
    collected = hub.as_user(INSTRUCTOR, "nbgrader", "collect", ASSIGNMENT, cwd=root)
    assert collected.returncode == 0, collected.stderr[-2000:]
    assert sorted(p.name for p in (root / "submitted").iterdir()) == STUDENTS
    # sandboxed: the installed package in the shared environment builds the sandbox
    probe = hub.as_user(INSTRUCTOR, "python", "-c",
                        "from course.grader import sandbox; print(sandbox.available())", cwd=root)
    assert probe.stdout.strip() == "None", probe.stdout + probe.stderr
    graded = hub.as_user(INSTRUCTOR, "course", "autograde", ASSIGNMENT, cwd=root)
    assert graded.returncode == 0, (graded.stdout + graded.stderr)[-3000:]
    exported = hub.as_user(INSTRUCTOR, "course", "export", ASSIGNMENT, cwd=root)
    assert exported.returncode == 0, exported.stderr
    rows = {r["student"]: r for r in csv.DictReader(io.StringIO(exported.stdout))}
    assert {s: rows[s]["total"] for s in STUDENTS} == {
        STUDENTS[0]: "8", STUDENTS[1]: rows[STUDENTS[1]]["total"], STUDENTS[2]: "3"
    }, rows
    assert float(rows[STUDENTS[1]]["total"]) < 8
    assert all(rows[s]["status"] == "graded" for s in STUDENTS), rows
    written = hub.as_user(INSTRUCTOR, "course", "feedback", ASSIGNMENT, cwd=root)
    assert written.returncode == 0, written.stdout + written.stderr
    released = hub.as_user(INSTRUCTOR, "nbgrader", "release_feedback", ASSIGNMENT, cwd=root)
    assert released.returncode == 0, released.stderr[-2000:]
    assert released.stderr.count("Releasing feedback for student") == 3, released.stderr


def test_formgrader_shows_the_class_to_the_instructor_with_maths_offline(hub):
    status, token = hub.api("POST", f"/hub/api/users/{INSTRUCTOR}/tokens", {"note": "test"})
    assert status == 201, token
    service = f"/services/{COURSE}/formgrader"
    status, notebooks = hub.api("GET", f"{service}/api/submitted_notebooks/{ASSIGNMENT}/"
                                       f"{ASSIGNMENT}", token=token["token"])
    assert status == 200, notebooks
    assert sorted(n["student"] for n in notebooks) == STUDENTS
    status, page = hub.api("GET", f"{service}/submissions/{notebooks[0]['id']}/?index=0",
                           token=token["token"])
    assert status == 200 and "mse" in page, page[:2000]
    assert "cdnjs" not in page and '<script src="/hub/mathjax/MathJax.js' in page


def test_the_instructor_opens_formgrader_in_a_tab_of_its_own(hub, browser):
    """Through the login page, the service's formgrader as a page of its own (JupyterHub 4.1+
    forbids the frame JupyterLab's Formgrader panel would put it in: nbgrader #1870)."""
    page = browser.new_page(viewport={"width": 1400, "height": 900})
    page.goto(f"{hub.url}/hub/login?next=/services/{COURSE}/formgrader")
    page.fill("#username_input", INSTRUCTOR)
    page.fill("#password_input", hub.password)
    page.click("#login_submit")
    page.wait_for_url(f"**/services/{COURSE}/formgrader**", timeout=120_000)
    page.get_by_text("Manage Assignments").first.wait_for(timeout=60_000)
    row = page.locator("tr", has_text=ASSIGNMENT).first
    row.wait_for(timeout=60_000)
    shoot(page, "hub-7-formgrader")
    cells = row.locator("td").all_inner_texts()  # released, three submissions
    assert cells[2].strip() == "released" and cells[8].strip() == "3", cells
    page.close()


def test_each_student_fetches_and_reads_their_own_feedback(hub):
    source = ROOT / "source" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb"
    hidden = secret_lines(nbformat.read(source, 4), hidden_only=True)
    expected = {STUDENTS[0]: "8.0 / 8.0", STUDENTS[2]: "3.0 / 8.0"}
    for student in STUDENTS:
        hub.spawn(student)
        form = {"course_id": COURSE, "assignment_id": ASSIGNMENT}
        status, listed = hub.api("POST", f"/user/{student}/assignments/fetch_feedback",
                                 form=form)
        assert status == 200 and listed["success"], listed
        (mine,) = [a for a in listed["value"] if a["status"] == "submitted"]
        assert [s["has_local_feedback"] for s in mine["submissions"]] == [True], mine
        folder = f"/user/{student}/api/contents/{ASSIGNMENT}/feedback"
        _, stamps = hub.api("GET", folder)
        (stamp,) = [item["name"] for item in stamps["content"]]
        status, page = hub.api("GET", f"/user/{student}/files/{ASSIGNMENT}/feedback/"
                                      f"{urllib.parse.quote(stamp)}/{ASSIGNMENT}.html")
        assert status == 200, page
        text = " ".join(" ".join(feedback_cells(page).values()).split())
        top = re.sub(r"<(style|script)[^>]*>.*?</\1>", "", page.split('<div class="cell ')[0],
                     flags=re.S)
        heading = " ".join(html.unescape(re.sub(r"<[^>]+>", " ", top)).split())
        if student in expected:
            assert f"{ASSIGNMENT} (Score: {expected[student]})" in heading, heading[-1500:]
        mistake = MESSAGES[("mse", ANSWERS[student])] if ANSWERS[student] != "right" else None
        if mistake:
            assert mistake in text, (student, mistake, text[:3000])
        assert hidden and leaked(hidden, page) == [], student
        # maths without a network: MathJax from the hub, which serves it
        assert "cdnjs" not in page and '<script src="/hub/mathjax/MathJax.js' in page
    status, script = hub.api("GET", "/hub/mathjax/MathJax.js")
    assert status == 200 and "MathJax" in script


def test_who_may_see_what(hub):
    one, other = STUDENTS[0], STUDENTS[1]
    other_home = pwd.getpwnam(other).pw_dir
    inbound = HUB_ROOT / "exchange" / COURSE / "inbound"
    root = hub.course_root
    private = [f"{other_home}/{ASSIGNMENT}/{ASSIGNMENT}.ipynb", str(root / "source"),
               str(root / "gradebook.db"), str(root / "autograded"), str(root / "submitted")]
    # a classmate: refused everywhere
    assert hub.as_user(one, "ls", str(inbound)).returncode != 0
    for path in private:
        refused = hub.as_user(one, "cat" if path.endswith((".ipynb", ".db")) else "ls", path)
        assert refused.returncode != 0 and "Permission denied" in refused.stderr, path
    # the owner reads their home; the instructor reads the exchange and the course root
    assert hub.as_user(other, "cat", private[0]).returncode == 0
    assert len(hub.as_user(INSTRUCTOR, "ls", str(inbound)).stdout.splitlines()) == 3
    for path in private[1:]:
        command = "cat" if path.endswith(".db") else "ls"
        assert hub.as_user(INSTRUCTOR, command, path).returncode == 0, path
    # the formgrader service: the instructor's, not a student's
    for user, allowed in ((INSTRUCTOR, 200), (one, 403)):
        status, token = hub.api("POST", f"/hub/api/users/{user}/tokens", {"note": "test"})
        assert status == 201, token
        status, _ = hub.api("GET", f"/services/{COURSE}/formgrader/api/assignments",
                            token=token["token"])
        assert status == allowed, (user, status)
    # a student's own server has no formgrader
    status, _ = hub.api("GET", f"/user/{one}/formgrader/api/assignments")
    assert status == 404


def test_stopping_leaves_no_process_and_the_demo_class_goes(hub):
    stopped = hubctl("stop", env=hub.env)
    assert "hub: stopped" in stopped.stdout
    removed = hubctl("remove-demo", env=hub.env)
    assert INSTRUCTOR in removed.stdout
    for user in (INSTRUCTOR, *STUDENTS):
        with pytest.raises(KeyError):
            pwd.getpwnam(user)
        assert not Path("/home", user).exists()
    assert not (HUB_ROOT / "exchange" / COURSE).exists()


def test_starting_on_a_port_in_use_or_without_root_says_so_in_one_line():
    if os.geteuid() != 0:
        skip_or_fail("the hub tests need root")
    with socket.socket() as holder:
        holder.bind(("127.0.0.1", 0))
        holder.listen()
        port = holder.getsockname()[1]
        env = dict(os.environ, HUB_ROOT=str(HUB_ROOT), HUB_PORT=str(port))
        busy = hubctl("start", env=env, check=False)
    assert busy.returncode == 2 and busy.stdout == ""
    assert busy.stderr == (
        f"hub: port {port} (proxy) is in use: stop what holds it, or start on other ports, "
        f"e.g. HUB_PORT={port + 100} make hub\n"
    )
    rootless = hubctl("start", env=env, check=False, user="nobody")
    assert rootless.returncode == 2
    assert rootless.stderr.startswith("hub: hub needs root") and rootless.stderr.count("\n") == 1


SLOW_SERVICE = """
import os, signal, subprocess, sys, time
sitting = "import signal, time; signal.signal(signal.SIGINT, signal.SIG_IGN); print(flush=True); "
service = subprocess.Popen([sys.executable, "-c", sitting + "time.sleep(120)"],
                           env=dict(os.environ, JUPYTERHUB_SERVICE_NAME="course"),
                           stdout=subprocess.PIPE)
service.stdout.readline()
def stop(*_):  # as JupyterHub stops a managed service: SIGINT, then 30 s before it goes on
    service.send_signal(signal.SIGINT)
    try:
        service.wait(30)
    except subprocess.TimeoutExpired:
        service.kill()
    print(service.wait(), flush=True)
    sys.exit(0)
signal.signal(signal.SIGTERM, stop)
print(os.getpid(), flush=True)
while True:
    time.sleep(1)
"""


def test_stopping_a_hub_whose_service_sits_on_its_interrupt_takes_seconds(tmp_path):
    """The hub interrupts its course service and waits 30 s for a busy one; hubctl stop sends
    the service SIGTERM, which a Jupyter server answers at once (seen: stop took 34 s)."""
    if os.geteuid() != 0:
        skip_or_fail("hubctl stop needs root")
    # a shell between, to collect the "hub" when it exits, as hubctl start does the real one
    starter = subprocess.Popen(
        ["/bin/sh", "-c", '"$0" -c "$1"; exit $?', sys.executable, SLOW_SERVICE],
        stdout=subprocess.PIPE,
        text=True,
    )
    (tmp_path / "state").mkdir()
    (tmp_path / "state" / "jupyterhub.pid").write_text(starter.stdout.readline().strip())
    stopped = hubctl("stop", env=dict(os.environ, HUB_ROOT=str(tmp_path)), check=False)
    assert stopped.stdout == "hub: stopped\n", stopped.stdout + stopped.stderr
    assert starter.wait(timeout=5) == 0
    assert starter.stdout.read().strip() == str(-signal.SIGTERM)  # not killed after 30 s
