"""The grading sandbox: every grading kernel runs under bubblewrap, with resource limits.

nbgrader starts a kernel with the instructor's rights, next to the gradebook (hidden tests
included), the source notebooks and every other student's work. Here, a kernelspec of the
course's own (``course/kernels/course-sandbox``) starts ``python -m course.sandbox
CONNECTION_FILE``, which execs the kernel inside ``bwrap`` and ``prlimit``:

- the whole system read-only, with no capabilities; a private ``/tmp`` and ``/run``;
- the course folder hidden, but for the Python environment and the ``course`` package
  (read-only) and the notebook's own grading folder (writable);
- the Jupyter runtime folder hidden, but for this kernel's connection file;
- no network: the kernel is reached through IPC sockets in a folder of its own;
- limits on address space, CPU time, file size and open files;
- interrupts arrive as messages (the kernelspec says so), not as signals.

:func:`configure` applies this to an nbgrader configuration; it is on where bubblewrap runs,
and off with ``COURSE_NO_SANDBOX=1`` (``--no-sandbox``).
"""

import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from jupyter_core.paths import jupyter_runtime_dir

KERNELS = Path(__file__).resolve().parent / "kernels"
KERNEL_NAME = "course-sandbox"
HIDE_ENV = "COURSE_SANDBOX_HIDE"
OFF_ENV = "COURSE_NO_SANDBOX"

LIMITS = {
    "as": 4 * 1024**3,  # bytes of address space
    "cpu": 300,  # seconds of CPU time
    "fsize": 64 * 1024**2,  # bytes in one file
    "nofile": 256,  # open files
}
"""The resource limits of a grading kernel (prlimit's names)."""


def available():
    """Why the sandbox cannot run here, or None when it can (bubblewrap starts a trial)."""
    if not shutil.which("bwrap") or not shutil.which("prlimit"):
        return "bubblewrap (bwrap) or prlimit is not installed: apt-get install bubblewrap"
    trial = subprocess.run(
        ["bwrap", "--ro-bind", "/", "/", "--unshare-all", "--cap-drop", "ALL", "true"],
        capture_output=True,
        text=True,
    )
    if trial.returncode:
        return f"bubblewrap cannot start here: {trial.stderr.strip()[:200]}"
    return None


def enabled():
    """True when grading kernels are to be sandboxed: not switched off, and bubblewrap runs."""
    return os.environ.get(OFF_ENV) != "1" and available() is None


def configure(c, root):
    """Configure nbgrader (config ``c``, course at ``root``) to grade in the sandbox.

    Kernels are always reached over IPC sockets in a folder private to this process; with the
    sandbox on, ``Execute`` uses the course's sandbox kernelspec whatever the notebook names.
    """
    sockets = Path(tempfile.gettempdir()) / f"course-kernels-{os.getpid()}"
    sockets.mkdir(mode=0o700, exist_ok=True)
    c.KernelManager.transport = "ipc"
    c.KernelManager.ip = str(sockets / "kernel")
    if enabled():
        hidden = {str(Path(root).resolve()), str(Path(__file__).resolve().parents[1])}
        os.environ[HIDE_ENV] = os.pathsep.join(sorted(hidden))
        # jupyter_client makes its KernelSpecManager without config: JUPYTER_PATH reaches it.
        paths = [
            str(KERNELS.parent),
            *filter(None, os.environ.get("JUPYTER_PATH", "").split(os.pathsep)),
        ]
        os.environ["JUPYTER_PATH"] = os.pathsep.join(dict.fromkeys(paths))
        c.Execute.kernel_name = KERNEL_NAME


def bwrap_command(connection_file, workdir, hidden, environment):
    """The command that runs an IPython kernel for ``connection_file`` in the sandbox.

    ``workdir`` is the notebook's grading folder (writable); ``hidden`` are folders to hide
    (the course); ``environment`` is the Python environment's prefix (kept, read-only).
    """
    connection_file = str(Path(connection_file).resolve())
    info = json.loads(Path(connection_file).read_text())
    sockets = str(Path(info["ip"]).parent)
    package = str(Path(__file__).resolve().parent)
    command = [
        "bwrap",
        "--ro-bind",
        "/",
        "/",
        "--dev",
        "/dev",
        "--proc",
        "/proc",
        "--tmpfs",
        "/tmp",
        "--tmpfs",
        "/run",
        "--unshare-all",
        "--cap-drop",
        "ALL",
        "--die-with-parent",
        "--new-session",
    ]
    for folder in hidden:
        command += ["--tmpfs", folder]
    for folder in (environment, package):
        if any(_inside(folder, h) for h in hidden):
            command += ["--ro-bind", folder, folder]
    if Path(jupyter_runtime_dir()).is_dir():  # other kernels' connection files
        command += ["--tmpfs", jupyter_runtime_dir()]
    command += [
        "--ro-bind",
        connection_file,
        connection_file,
        "--bind",
        sockets,
        sockets,
        "--bind",
        workdir,
        workdir,
        "--chdir",
        workdir,
        "--setenv",
        "HOME",
        "/tmp",
        "--setenv",
        "MPLCONFIGDIR",
        "/tmp/matplotlib",
        "--setenv",
        "OPENBLAS_NUM_THREADS",
        "1",
        # the kernel's parent lies outside its PID namespace: --die-with-parent stands in
        # for ipykernel's parent poller, which would take the kernel for an orphan
        "--unsetenv",
        "JPY_PARENT_PID",
    ]
    for folder in hidden:  # the empty stand-in for the course is read-only too
        command += ["--remount-ro", folder]
    limits = [f"--{name}={value}" for name, value in LIMITS.items()]
    return [
        *command,
        "prlimit",
        *limits,
        "--",
        sys.executable,
        "-m",
        "ipykernel_launcher",
        "-f",
        connection_file,
    ]


def _inside(path, folder):
    """True when ``path`` is ``folder`` or below it."""
    return Path(path).resolve().is_relative_to(Path(folder).resolve())


def main(argv):
    """Exec the sandboxed kernel for the connection file ``argv[0]`` (the kernelspec's entry)."""
    hidden = [h for h in os.environ.get(HIDE_ENV, "").split(os.pathsep) if h]
    command = bwrap_command(argv[0], os.getcwd(), hidden, sys.prefix)
    quiet = os.open(os.devnull, os.O_WRONLY)
    os.dup2(quiet, 1)  # the kernel talks over its sockets; its stdout only prints banners
    os.execvp(command[0], command)


if __name__ == "__main__":
    main(sys.argv[1:])
