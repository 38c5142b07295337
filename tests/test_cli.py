"""The course command: release and start, their errors and exit codes."""

from helpers import run_course

from course.grader import cli, paths


def run(*args, workspace):
    return run_course(*args, COURSE_WORKSPACE=workspace, timeout=120)


def test_start_copies_the_release_and_never_overwrites_work(tmp_path):
    first = run("start", workspace=tmp_path)
    assert first.returncode == 0, first.stderr
    for assignment_id in paths.assignments():
        assert (tmp_path / assignment_id / f"{assignment_id}.ipynb").is_file()
    mine = tmp_path / "03_mse_loss" / "03_mse_loss.ipynb"
    mine.write_text("my work")
    again = run("start", "03_mse_loss", workspace=tmp_path)
    assert again.returncode == 0 and "kept" in again.stdout
    assert mine.read_text() == "my work"


def test_unknown_assignment_is_a_clear_error(tmp_path):
    result = run("start", "06_nope", workspace=tmp_path)
    assert result.returncode == 2
    assert "unknown assignment 06_nope" in result.stderr and "Traceback" not in result.stderr
    assert not any(tmp_path.iterdir())


def test_parser_lists_the_commands():
    help_text = cli.build_parser().format_help()
    assert "release" in help_text and "start" in help_text


def test_a_bad_option_gets_the_commands_own_usage(tmp_path):
    result = run("report", "--bogus", workspace=tmp_path)
    assert result.returncode == 2
    assert result.stderr.splitlines()[0].startswith("usage: course report ")
    assert "unrecognized arguments: --bogus" in result.stderr


def test_jupyterlab_on_the_course_root_offers_no_sandbox_kernel():
    """Loading the course's nbgrader configuration (as JupyterLab on the course root does) does
    not put the grading sandbox's kernel in the launcher; a process about to grade finds it."""
    import subprocess
    import sys

    from helpers import ROOT

    from course.grader import sandbox

    probe = (
        "import sys\n"
        "from traitlets.config.loader import PyFileConfigLoader\n"
        "from jupyter_client.kernelspec import KernelSpecManager\n"
        f"PyFileConfigLoader('nbgrader_config.py', path={str(ROOT)!r}).load_config()\n"
        "if sys.argv[1] == 'grading':\n"
        "    from course.grader import sandbox\n"
        "    sandbox.expose_kernelspec()\n"
        "print(sorted(KernelSpecManager().find_kernel_specs()))\n"
    )
    for role, offered in (("lab", False), ("grading", True)):
        found = subprocess.run(
            [sys.executable, "-c", probe, role], capture_output=True, text=True, cwd=ROOT
        )
        assert found.returncode == 0, found.stderr
        assert (sandbox.KERNEL_NAME in found.stdout) is offered, (role, found.stdout)


def test_the_students_jupyterlab_has_no_instructor_tools(tmp_path):
    """`make lab`'s configuration (lab/student): the formgrader does not answer and the lab page
    switches off nbgrader's instructor parts; without it (make instructor) formgrader answers."""
    import json
    import re
    import urllib.error
    import urllib.request

    from browsing import lab_env, serve_lab
    from helpers import ROOT, make_course

    def visit(env, folder):
        runs = serve_lab(folder, env, tmp_path)
        url, token, _ = next(runs)
        try:
            try:
                formgrader = urllib.request.urlopen(f"{url}/formgrader?token={token}").status
            except urllib.error.HTTPError as error:
                formgrader = error.code
            page = urllib.request.urlopen(f"{url}/lab?token={token}").read().decode()
        finally:
            next(runs, None)
        found = re.search(r'id="jupyter-config-data"[^>]*>(.*?)</script>', page, re.S)
        return formgrader, json.loads(found.group(1)).get("disabledExtensions", [])

    workspace = tmp_path / "workspace"
    workspace.mkdir()
    student = lab_env(tmp_path, JUPYTER_CONFIG_PATH=str(ROOT / "lab" / "student"))
    formgrader, disabled = visit(student, workspace)
    assert formgrader == 404
    for plugin in ("@jupyter/nbgrader:menu", "@jupyter/nbgrader:create-assignment"):
        assert plugin in disabled, disabled
    assert "@jupyter/nbgrader:validate-assignment" not in disabled
    course = make_course(tmp_path / "course", ["01_matrix_multiplication"])
    formgrader, disabled = visit(lab_env(tmp_path), course)
    assert formgrader == 200 and "@jupyter/nbgrader:menu" not in disabled
