"""The grading sandbox: every grading kernel runs under bubblewrap, with resource limits.

nbgrader starts a kernel with the instructor's rights, next to the gradebook (hidden tests
included), the source notebooks and every other student's work. Here, every grading kernel is
started through a kernelspec of the course's own (``course/grader/kernels/course-grading``):
forked from the student's warm parent, which runs in such a sandbox
(:mod:`course.grader.provisioner`), or cold, by ``python -m course.grader.sandbox
CONNECTION_FILE``, which execs the kernel inside ``bwrap`` and ``prlimit``:

- the whole system read-only, with no capabilities; a private ``/tmp`` and ``/run``;
- the course folder hidden, but for the Python environment and the ``course`` package
  (read-only, wherever they live, ``/tmp`` included) and the notebook's own grading folder
  (writable; the notebook in it, which holds the hidden tests, reads as empty);
- the Jupyter runtime folder hidden, but for this kernel's connection file;
- no network: the kernel is reached through IPC sockets in a folder of its own;
- limits on address space, CPU time, file size and open files;
- interrupts arrive as messages (the kernelspec says so), not as signals.

:func:`configure` applies this to an nbgrader configuration. Grading fails closed: where
bubblewrap cannot run, :func:`refusal` says why and how to go on, and the graders refuse to
run students' code, unless ``COURSE_NO_SANDBOX=1`` (``--no-sandbox``) turns it off on purpose.
"""

import atexit
import contextlib
import functools
import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from jupyter_core.paths import jupyter_runtime_dir

PACKAGE = Path(__file__).resolve().parents[1]
"""The ``course`` package, which a grading kernel imports (read-only inside the sandbox)."""
KERNELS = Path(__file__).resolve().parent / "kernels"
KERNEL_NAME = "course-grading"
HIDE_ENV = "COURSE_SANDBOX_HIDE"
OFF_ENV = "COURSE_NO_SANDBOX"

LIMITS = {
    "as": 4 * 1024**3,  # bytes of address space
    "cpu": 300,  # seconds of CPU time
    "fsize": 64 * 1024**2,  # bytes in one file
    "nofile": 256,  # open files
}
"""The resource limits of a grading kernel (prlimit's names)."""

INSTALL = "install bubblewrap (as root: apt-get install bubblewrap, or make system)"
UNSANDBOXED = "pass --no-sandbox (COURSE_NO_SANDBOX=1) to grade without it on purpose"


@functools.cache
def available():
    """Why the sandbox cannot run here, or None when it can.

    The trial runs the sandbox's real command (the same mounts, namespaces and limits), with a
    Python that imports the grader's side of the kernel in place of the kernel.
    """
    missing = [tool for tool in ("bwrap", "prlimit") if not shutil.which(tool)]
    if missing:
        return f"{' and '.join(missing)} not installed"
    with tempfile.TemporaryDirectory(prefix="course-sandbox-trial-") as trial:
        command = sandbox_command(trial, trial, None, _hidden(trial))
        program = ["-c", "import course.grader.wire"]
        try:
            result = subprocess.run(
                [*command, *program], capture_output=True, text=True, timeout=60
            )
        except subprocess.TimeoutExpired:
            return "bubblewrap did not start a Python within 60 s"
    if result.returncode:
        lines = [line for line in result.stderr.splitlines() if line.strip()] or ["no output"]
        return f"bubblewrap is installed but could not build the sandbox here: {lines[-1][:200]}"
    return None


def switched_off():
    """True when the sandbox is turned off on purpose (``COURSE_NO_SANDBOX=1``)."""
    return os.environ.get(OFF_ENV) == "1"


@contextlib.contextmanager
def off():
    """Within the block, grading kernels run without the sandbox (a learner's own code); the
    setting before it comes back after."""
    before = os.environ.get(OFF_ENV)
    os.environ[OFF_ENV] = "1"
    try:
        yield
    finally:
        if before is None:
            del os.environ[OFF_ENV]
        else:
            os.environ[OFF_ENV] = before


def enabled():
    """True when grading kernels are to be sandboxed: not switched off, and bubblewrap runs."""
    return not switched_off() and available() is None


def refusal():
    """The one-line reason to refuse grading students' code, or None when grading may go on
    (the sandbox runs, or it is switched off on purpose)."""
    if switched_off():
        return None
    why = available()
    if why is None:
        return None
    advice = f"{INSTALL}, or {UNSANDBOXED}" if "not installed" in why else UNSANDBOXED
    return f"refusing to run students' code without the sandbox: {why}; {advice}"


def configure(c, root):
    """Configure nbgrader (config ``c``, course at ``root``) to grade in the sandbox.

    The autograder (``TrustedExecute``, not the students' Validate) starts its kernels through
    the course's kernelspec whatever the notebook names, and reaches them over IPC sockets in a
    folder private to this process. Unless the sandbox is switched off, they run in it.
    """
    c.KernelManager.transport = "ipc"
    c.KernelManager.ip = str(sockets_folder() / "kernel")
    c.TrustedExecute.kernel_name = KERNEL_NAME
    if not switched_off():
        os.environ[HIDE_ENV] = os.pathsep.join(_hidden(root))


def sockets_folder(pid=None):
    """The folder of the IPC sockets of the grading kernels of process ``pid`` (this one's made
    if need be, private, and removed when this process ends)."""
    sockets = Path(tempfile.gettempdir()) / f"course-kernels-{pid or os.getpid()}"
    if pid is None and not sockets.is_dir():
        sockets.mkdir(mode=0o700)
        atexit.register(shutil.rmtree, sockets, True)
    return sockets


def hidden_folders():
    """The folders the sandbox hides, as :func:`configure` set them for this process."""
    return [h for h in os.environ.get(HIDE_ENV, "").split(os.pathsep) if h]


def expose_kernelspec():
    """Make the sandbox's kernelspec findable, in a process about to grade (not before: a
    JupyterLab that loads the course's configuration would offer it in its launcher)."""
    # jupyter_client makes its KernelSpecManager without config: JUPYTER_PATH reaches it.
    paths = [
        str(KERNELS.parent),
        *filter(None, os.environ.get("JUPYTER_PATH", "").split(os.pathsep)),
    ]
    os.environ["JUPYTER_PATH"] = os.pathsep.join(dict.fromkeys(paths))


def _hidden(root):
    """The folders a grading kernel must not see: the course root, and this package's
    repository when the package is a checkout's (an editable install), not an installed copy
    inside the Python environment (whose ``site-packages`` the kernel needs)."""
    hidden = {str(Path(root).resolve())}
    if not any(PACKAGE.is_relative_to(Path(p).resolve()) for p in (sys.prefix, sys.base_prefix)):
        hidden.add(str(PACKAGE.parent))
    return sorted(hidden)


def sandbox_command(workdir, sockets, connection_file, hidden, init=False):
    """The command line, up to the Python interpreter, that runs Python in the sandbox.

    ``workdir`` is the notebook's grading folder (writable, the working directory); ``sockets``
    the folder of the kernel's IPC sockets (writable); ``connection_file`` the kernel's
    connection file (read-only; None for none); ``hidden`` the folders to hide (the course).
    With ``init``, Python is the process 1 of the sandbox (bubblewrap's own stands there
    otherwise): no process of the sandbox can then kill or stop it. Append the interpreter's
    arguments to run something.
    """
    command = ["bwrap", "--ro-bind", "/", "/", "--dev", "/dev", "--proc", "/proc"]
    command += ["--tmpfs", "/tmp", "--tmpfs", "/run"]
    command += ["--unshare-all", "--cap-drop", "ALL", "--die-with-parent", "--new-session"]
    if init:
        command += ["--as-pid-1"]
    for folder in hidden:
        command += ["--tmpfs", folder]
    if Path(jupyter_runtime_dir()).is_dir():  # other kernels' connection files
        command += ["--tmpfs", jupyter_runtime_dir()]
    # what the kernel runs, back in sight wherever it lives (a tmpfs above may have hidden it)
    for folder in _environment():
        command += ["--ro-bind", folder, folder]
    if connection_file:
        command += ["--ro-bind", connection_file, connection_file]
    command += ["--bind", sockets, sockets, "--bind", workdir, workdir, "--chdir", workdir]
    # the notebook being graded lies in its folder as nbgrader merged it, hidden tests included:
    # the kernel reads an empty file there
    for notebook in sorted(Path(workdir).glob("*.ipynb")):
        command += ["--ro-bind", "/dev/null", str(notebook)]
    for folder in hidden:  # the empty stand-in for the course is read-only too
        command += ["--remount-ro", folder]
    for fonts in _font_caches():  # matplotlib would spend 0.4 s rebuilding it in every kernel
        command += ["--ro-bind", str(fonts), f"/tmp/matplotlib/{fonts.name}"]
    command += ["--setenv", "HOME", "/tmp", "--setenv", "MPLCONFIGDIR", "/tmp/matplotlib"]
    command += ["--setenv", "OPENBLAS_NUM_THREADS", "1"]
    # the kernel's parent lies outside its PID namespace: --die-with-parent stands in for
    # ipykernel's parent poller, which would take the kernel for an orphan
    command += ["--unsetenv", "JPY_PARENT_PID"]
    limits = [f"--{name}={value}" for name, value in LIMITS.items()]
    return [*command, "prlimit", *limits, "--", sys.executable]


def _environment():
    """The folders a grading kernel needs to run: the Python environment, the interpreter it
    was made from, and the ``course`` package, as named and as resolved (a link to an
    environment is followed inside too); outermost first, none inside another."""
    named = [sys.prefix, sys.base_prefix, str(Path(sys.executable).parent), str(PACKAGE)]
    folders = sorted(
        {os.path.abspath(f) for f in named} | {str(Path(f).resolve()) for f in named}, key=len
    )
    kept = []
    for folder in folders:
        if folder != "/" and not any(Path(folder).is_relative_to(k) for k in kept):
            kept.append(folder)
    return kept


def _font_caches():
    """matplotlib's font list caches of this user (``fontlist-v*.json`` in its cache folder)."""
    folder = os.environ.get("MPLCONFIGDIR") or Path(
        os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache", "matplotlib"
    )
    return sorted(Path(folder).glob("fontlist-v*.json"))


def ensure_font_cache():
    """Build matplotlib's font list outside the sandbox, once (matplotlib's own code, no
    student's), so that no kernel spends 0.4 s rebuilding it (see :func:`_font_caches`)."""
    if not _font_caches():
        subprocess.run([sys.executable, "-c", "import matplotlib.font_manager"], check=False)


def main(argv):
    """The kernelspec's command, for a kernel started cold: exec the kernel of the connection
    file ``argv[0]`` in the sandbox (or, switched off on purpose, without it)."""
    connection_file = str(Path(argv[0]).resolve())
    quiet = os.open(os.devnull, os.O_WRONLY)
    os.dup2(quiet, 1)  # the kernel talks over its sockets; its stdout only prints banners
    kernel = ["-m", "ipykernel_launcher", "-f", connection_file]
    if switched_off():
        os.execv(sys.executable, [sys.executable, *kernel])
    ensure_font_cache()
    sockets = str(Path(json.loads(Path(connection_file).read_text())["ip"]).parent)
    command = sandbox_command(os.getcwd(), sockets, connection_file, hidden_folders())
    os.execvp(command[0], [*command, *kernel])


if __name__ == "__main__":
    main(sys.argv[1:])
