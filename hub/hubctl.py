"""The course's JupyterHub on one machine: set up, start, stop; make and remove a demo class.

Run as root with any Python 3.11+ (standard library only): ``python3 hub/hubctl.py COMMAND``, or
through make (``make hub``, ``make hub-demo``, ``make hub-stop``, ``make hub-remove-demo``).

- ``setup``: the shared environment every user runs (a venv made from an interpreter every user
  can execute, the course installed as a package, not editable, and JupyterHub), the proxy
  (``npm ci`` from ``hub/package-lock.json``), the exchange, the hub's configuration for the
  students' and the instructor's servers, and its private state folder. Idempotent.
- ``demo``: a class of real Unix users (an instructor, three students) with private homes, the
  instructor's copy of the course in their home, and the roster the hub reads.
- ``start``: ``setup``, then JupyterHub in the foreground (``jupyterhub_config.py`` here).
- ``stop``: stops a running hub, which stops every server and the proxy; says what is left.
- ``remove-demo``: removes the demo class: its users, their homes, its exchange folder, the hub's
  memory of them.

Everything lives under ``$HUB_ROOT`` (``/srv/regression-course``); the hub listens on
``$HUB_IP:$HUB_PORT`` (``127.0.0.1:8000``) and uses the three ports after it; the demo users'
names start with ``$HUB_DEMO_PREFIX`` (``demo-``).
"""

import argparse
import hashlib
import json
import os
import pwd
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
HUB_ROOT = Path(os.environ.get("HUB_ROOT", "/srv/regression-course"))
HUB_IP = os.environ.get("HUB_IP", "127.0.0.1")
HUB_PORT = int(os.environ.get("HUB_PORT", "8000"))
COURSE_ID = "regression-from-scratch"
JUPYTERHUB = "jupyterhub==6.1.1"

ENV = HUB_ROOT / "env"
EXCHANGE = HUB_ROOT / "exchange"
CONFIG = HUB_ROOT / "config"
STATE = HUB_ROOT / "state"
ROSTER = HUB_ROOT / "class.json"
PROXY = HERE / "node_modules" / ".bin" / "configurable-http-proxy"

DEMO_PREFIX = os.environ.get("HUB_DEMO_PREFIX", "demo-")
DEMO_INSTRUCTOR = f"{DEMO_PREFIX}instructor"
DEMO_STUDENTS = tuple(f"{DEMO_PREFIX}student{i}" for i in (1, 2, 3))
COURSE_FILES = ("nbgrader_config.py", "CONTRACT.md", "source", "release")
"""What the instructor's copy of the course holds: its configuration, contract and notebooks
(no demo submissions, no gradebook: grading makes it)."""
MATHJAX = Path("/usr/share/javascript/mathjax")
"""Debian's MathJax 2 (libjs-mathjax), which the hub serves at MATHJAX_URL."""
MATHJAX_URL = "/hub/mathjax/MathJax.js"
MACRO = REPO / "lab/instructor/share/nbconvert/templates/base/mathjax.html.j2"
"""nbconvert's mathjax macro with Debian's MathJax (the instructor's JupyterLab's, at /static/)."""


class HubError(Exception):
    """A reason to stop, said in one line."""


def ports():
    """The hub's ports: the proxy (public), the proxy's API, the hub, the formgrader service."""
    return {"proxy": HUB_PORT, "proxy API": HUB_PORT + 1, "hub": HUB_PORT + 2,
            "formgrader": HUB_PORT + 3}


def require_root(command):
    if os.geteuid() != 0:
        raise HubError(
            f"{command} needs root: the hub starts each user's server as that Unix user "
            f"(run: sudo make {command.replace(' ', '-')})"
        )


def run(*command, **kwargs):
    """Run a command; raise HubError with its last line of output when it fails."""
    result = subprocess.run(command, capture_output=True, text=True, **kwargs)
    if result.returncode:
        lines = (result.stderr or result.stdout).strip().splitlines() or ["no output"]
        raise HubError(f"{' '.join(map(str, command[:3]))} failed: {lines[-1]}")
    return result.stdout


# ---------------------------------------------------------------------------------------- setup


def shared_python():
    """An interpreter every user can run: ``$HUB_PYTHON``, else the system's ``/usr/bin/python3``.

    An interpreter in root's home (pyenv's, say) cannot be run by the students' servers.
    """
    python = Path(os.environ.get("HUB_PYTHON", "/usr/bin/python3"))
    real = python.resolve()
    if not real.is_file():
        raise HubError(f"no interpreter at {python}: set HUB_PYTHON to a Python 3.11+")
    for folder in [real, *real.parents]:
        if not folder.stat().st_mode & 0o001:
            raise HubError(
                f"{python} cannot be run by other users ({folder} is not world-executable): "
                "set HUB_PYTHON to an interpreter outside a private home"
            )
    return python


def _digest(*paths):
    digest = hashlib.sha256()
    for path in paths:
        files = sorted(p for p in Path(path).rglob("*") if p.is_file()) if path.is_dir() else [path]
        for file in files:
            if "__pycache__" not in file.parts:
                digest.update(str(file.relative_to(REPO)).encode() + file.read_bytes())
    return digest.hexdigest()


def install_environment():
    """The shared venv with the course (installed, not editable) and JupyterHub; rebuilt when
    the pinned dependencies change, the course reinstalled when its package changes."""
    stamp = ENV / ".course-stamp.json"
    want = {"deps": _digest(REPO / "pyproject.toml") + JUPYTERHUB,
            "course": _digest(REPO / "course", REPO / "README.md")}
    have = json.loads(stamp.read_text()) if stamp.is_file() else {}
    if have == want:
        return
    if have.get("deps") != want["deps"] and ENV.exists():
        shutil.rmtree(ENV)
    if not ENV.exists():
        print(f"hub: building the shared environment in {ENV} (a few minutes, once)", flush=True)
        python = str(shared_python())
        if subprocess.run([python, "-c", "import ensurepip"], capture_output=True).returncode:
            raise HubError(f"{python} cannot make a venv: apt-get install python3-venv")
        run(python, "-m", "venv", str(ENV))
        run(str(ENV / "bin/python"), "-m", "pip", "install", "--quiet", "--upgrade", "pip")
    with tempfile.TemporaryDirectory(prefix="course-package-") as tmp:
        # a copy of what the package is built from, so that no build folder lands in the repo
        for name in ("pyproject.toml", "README.md"):
            shutil.copy2(REPO / name, tmp)
        shutil.copytree(REPO / "course", Path(tmp) / "course",
                        ignore=shutil.ignore_patterns("__pycache__"))
        deps = have.get("deps") == want["deps"]
        extra = ["--no-deps", "--force-reinstall"] if deps else []
        run(str(ENV / "bin/python"), "-m", "pip", "install", "--quiet", *extra, tmp,
            *([] if deps else [JUPYTERHUB]))
    os.chmod(ENV, 0o755)
    stamp.write_text(json.dumps(want))


def install_proxy():
    """configurable-http-proxy from the npm registry, as ``package-lock.json`` pins it."""
    lock = HERE / "package-lock.json"
    installed = HERE / "node_modules" / ".package-lock.json"
    if PROXY.exists() and installed.is_file() and installed.stat().st_mtime >= lock.stat().st_mtime:
        return
    if not shutil.which("npm"):
        raise HubError("npm is not installed (apt-get install npm): the hub's proxy needs it")
    run("npm", "ci", "--no-audit", "--no-fund", "--loglevel=error", cwd=HERE)


def write_configuration():
    """The configuration every server the hub starts reads (``JUPYTER_CONFIG_PATH``), apart from
    the machine's own ``/etc/jupyter``: nbgrader's exchange and course id for everyone; for the
    students, nbgrader's instructor tools switched off."""
    common = CONFIG / "common"
    student = CONFIG / "student"
    for folder in (common, student / "labconfig"):
        folder.mkdir(parents=True, exist_ok=True)
    (common / "nbgrader_config.py").write_text(
        '"""nbgrader on the course hub: exchange and course (written by hub/hubctl.py)."""\n'
        "c = get_config()  # noqa: F821\n"
        f"c.Exchange.root = {str(EXCHANGE)!r}\n"
        f"c.CourseDirectory.course_id = {COURSE_ID!r}\n"
    )
    (student / "jupyter_server_config.json").write_text(json.dumps({
        "ServerApp": {"jpserver_extensions": {
            "nbgrader.server_extensions.formgrader": False,
            "nbgrader.server_extensions.course_list": False,
        }}
    }, indent=2))
    # the Nbgrader menu stays (it opens the Assignments tab); formgrader, course list and
    # assignment creation go
    (student / "labconfig" / "page_config.json").write_text(json.dumps({
        "disabledExtensions": {
            "@jupyter/nbgrader:formgrader": True,
            "@jupyter/nbgrader:create-assignment": True,
            "@jupyter/nbgrader:course-list": True,
            "@jupyterlab/apputils-extension:announcements": True,
        }
    }, indent=2))
    # formgrader's pages (nbconvert's templates) load MathJax from the hub, not from a CDN
    macro = CONFIG / "share" / "nbconvert" / "templates" / "base" / "mathjax.html.j2"
    macro.parent.mkdir(parents=True, exist_ok=True)
    macro.write_text(MACRO.read_text().replace("/static/MathJax.js", MATHJAX_URL))
    for path in [CONFIG, *CONFIG.rglob("*")]:
        os.chmod(path, 0o755 if path.is_dir() else 0o644)


def setup():
    """Everything the hub needs, made or brought up to date."""
    require_root("hub setup")
    HUB_ROOT.mkdir(parents=True, exist_ok=True)
    os.chmod(HUB_ROOT, 0o755)
    STATE.mkdir(mode=0o700, exist_ok=True)
    os.chmod(STATE, 0o700)
    # nbgrader's exchange: anyone may create in it; nbgrader sets each course folder's modes
    # (inbound 733: a student can submit, not list)
    EXCHANGE.mkdir(exist_ok=True)
    os.chmod(EXCHANGE, 0o777)
    for secret in ("demo-password", "admin-token"):
        path = STATE / secret
        if not path.is_file():
            path.write_text(secrets.token_hex(16))
            os.chmod(path, 0o600)
    install_proxy()
    install_environment()
    write_configuration()
    if not (MATHJAX / "MathJax.js").is_file():
        print("hub: warning: libjs-mathjax is not installed (apt-get install libjs-mathjax): "
              "feedback and formgrader pages will load MathJax from the network", flush=True)


# ------------------------------------------------------------------------------------ the class


def roster():
    """The class the hub lets in, or None: {"course_id", "course_root", "instructor",
    "students"}."""
    return json.loads(ROSTER.read_text()) if ROSTER.is_file() else None


def _add_user(name):
    """A Unix user with a private home (mode 700: no classmate reads it)."""
    try:
        pwd.getpwnam(name)
    except KeyError:
        run("useradd", "--create-home", "--shell", "/bin/bash", name)
    home = Path(pwd.getpwnam(name).pw_dir)
    os.chmod(home, 0o700)
    return home


def demo():
    """Make the demo class: the users, the instructor's course, the roster."""
    require_root("hub demo")
    setup()
    instructor_home = _add_user(DEMO_INSTRUCTOR)
    for student in DEMO_STUDENTS:
        _add_user(student)
    course_root = instructor_home / COURSE_ID
    if not course_root.exists():
        course_root.mkdir()
        for name in COURSE_FILES:
            source = REPO / name
            if source.is_dir():
                shutil.copytree(source, course_root / name,
                                ignore=shutil.ignore_patterns(".ipynb_checkpoints"))
            else:
                shutil.copy2(source, course_root / name)
        run("chown", "-R", f"{DEMO_INSTRUCTOR}:{DEMO_INSTRUCTOR}", str(course_root))
        os.chmod(course_root, 0o700)
    ROSTER.write_text(json.dumps({
        "course_id": COURSE_ID,
        "course_root": str(course_root),
        "instructor": DEMO_INSTRUCTOR,
        "students": list(DEMO_STUDENTS),
    }, indent=2))
    os.chmod(ROSTER, 0o644)
    print(f"hub: demo class ready: instructor {DEMO_INSTRUCTOR}, students "
          f"{', '.join(DEMO_STUDENTS)}; password in {STATE / 'demo-password'}; course in "
          f"{course_root}")
    if hub_pid():
        print("hub: the hub is running: restart it (make hub-stop, make hub) to let them in")


def remove_demo():
    """Remove the demo class; refuse while the hub runs (their servers would be cut off)."""
    require_root("hub remove-demo")
    if hub_pid():
        raise HubError("the hub is running: stop it first (make hub-stop)")
    removed = []
    for name in (DEMO_INSTRUCTOR, *DEMO_STUDENTS):
        try:
            pwd.getpwnam(name)
        except KeyError:
            continue
        subprocess.run(["pkill", "-KILL", "-u", name], check=False)
        run("userdel", "--remove", name)
        removed.append(name)
    course = EXCHANGE / COURSE_ID
    if course.exists():
        shutil.rmtree(course)
        removed.append(str(course))
    for path in (ROSTER, STATE / "jupyterhub.sqlite"):
        if path.exists():
            path.unlink()
            removed.append(str(path))
    print("hub: removed " + (", ".join(removed) if removed else "nothing (no demo class)"))


# ---------------------------------------------------------------------------------- start, stop


def hub_pid():
    """The running hub's process id, or None."""
    path = STATE / "jupyterhub.pid"
    try:
        pid = int(path.read_text())
        os.kill(pid, 0)
    except (OSError, ValueError):
        return None
    return pid


def check_ports():
    """Raise HubError naming the first of the hub's ports already in use."""
    for role, port in ports().items():
        with socket.socket() as probe:
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            try:
                probe.bind((HUB_IP if role == "proxy" else "127.0.0.1", port))
            except OSError:
                raise HubError(
                    f"port {port} ({role}) is in use: stop what holds it, or start on other "
                    f"ports, e.g. HUB_PORT={HUB_PORT + 100} make hub"
                ) from None


def start():
    """Set up, then run JupyterHub in the foreground (Ctrl-C or ``make hub-stop`` stops it)."""
    require_root("hub")
    if hub_pid():
        raise HubError(f"the hub is already running (process {hub_pid()}): make hub-stop")
    check_ports()
    setup()
    if roster() is None:
        print("hub: no class yet: make hub-demo makes a demo class", flush=True)
    print(f"hub: http://{HUB_IP}:{HUB_PORT}/ (stop: Ctrl-C or make hub-stop)", flush=True)
    env = {**os.environ, "HUB_ROOT": str(HUB_ROOT), "HUB_IP": HUB_IP, "HUB_PORT": str(HUB_PORT),
           "PATH": f"{ENV / 'bin'}{os.pathsep}{os.environ.get('PATH', '')}"}
    os.chdir(STATE)
    os.execve(str(ENV / "bin/jupyterhub"),
              [str(ENV / "bin/jupyterhub"), "-f", str(HERE / "jupyterhub_config.py")], env)


def leftovers():
    """Processes the hub leaves behind: the class's users' and the proxy's, as "pid name" lines."""
    users = set()
    if (class_ := roster()) is not None:
        users = {class_["instructor"], *class_["students"]}
    uids = set()
    for name in users:
        try:
            uids.add(pwd.getpwnam(name).pw_uid)
        except KeyError:
            continue
    left = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            uid = entry.stat().st_uid
            cmdline = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode().strip()
        except OSError:
            continue
        if uid in uids or str(PROXY) in cmdline or str(HERE / "jupyterhub_config.py") in cmdline:
            left.append(f"{entry.name} {cmdline[:80]}")
    return left


def managed_services(hub):
    """The process ids of the hub's managed services (the course's formgrader): its children
    that JupyterHub started with ``JUPYTERHUB_SERVICE_NAME`` set."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            parent = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            environ = (entry / "environ").read_bytes().split(b"\0")
        except (OSError, IndexError, ValueError):
            continue
        if parent == hub and any(v.startswith(b"JUPYTERHUB_SERVICE_NAME=") for v in environ):
            found.append(int(entry.name))
    return found


def stop(timeout=60, nudge=2):
    """Stop the hub (SIGTERM: it stops the servers, the service and the proxy); report leftovers.

    The hub interrupts its managed service (SIGINT) and waits up to 30 s for it to exit before it
    sends SIGTERM; a busy Jupyter server can sit on that interrupt for all 30 s, where it answers
    SIGTERM at once. So once the hub has had ``nudge`` seconds to begin (its cleanup no longer
    restarts a service that exits), the service gets SIGTERM from here too."""
    require_root("hub stop")
    pid = hub_pid()
    if pid is None:
        print("hub: not running")
    else:
        services = managed_services(pid)
        os.kill(pid, signal.SIGTERM)
        start = time.monotonic()
        while hub_pid() == pid and time.monotonic() < start + timeout:
            if services and time.monotonic() > start + nudge:
                for service in services:
                    try:
                        os.kill(service, signal.SIGTERM)
                    except ProcessLookupError:
                        pass
                services = []
            time.sleep(0.2)
        if hub_pid() == pid:
            raise HubError(f"the hub (process {pid}) did not stop within {timeout} s")
        print("hub: stopped")
    deadline = time.monotonic() + 10
    while (left := leftovers()) and time.monotonic() < deadline:
        time.sleep(0.2)
    if left:
        raise HubError("left running after the hub stopped: " + "; ".join(left))


def main(argv=None):
    parser = argparse.ArgumentParser(prog="hubctl", description=__doc__.split("\n\n")[0])
    parser.add_argument("command", choices=["setup", "demo", "start", "stop", "remove-demo"])
    args = parser.parse_args(argv)
    actions = {"setup": setup, "demo": demo, "start": start, "stop": stop,
               "remove-demo": remove_demo}
    try:
        actions[args.command]()
    except HubError as error:
        print(f"hub: {error}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
