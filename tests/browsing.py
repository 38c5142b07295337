"""What the browser tests share: JupyterLab started as `make lab` starts it (an isolated HOME,
quiet settings), Debian's chromium's flags, screenshots (in screenshots/, git-ignored). The
``browser`` fixture itself is in conftest.py."""

import json
import os
import socket
import subprocess
import time
import urllib.request

import pytest
from helpers import BIN, ROOT

SHOTS = ROOT / "screenshots"
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


def shoot(page, name):
    SHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)
