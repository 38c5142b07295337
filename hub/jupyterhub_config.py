"""JupyterHub for the course on one machine (started by ``hub/hubctl.py start``, ``make hub``).

Real Unix users, each student's server started as that user (LocalProcessSpawner) from the shared
environment; nbgrader's exchange and course id in a configuration every server reads; the
instructor's formgrader as a hub service running as the instructor in the course root, open to
the group ``formgrade-<course>`` only, as nbgrader's "Using nbgrader with JupyterHub" describes.
The demo authenticator takes the class's password (``state/demo-password``); a real class
switches it (see hub/README.md).
"""

import json
import os
from pathlib import Path

HERE = Path(__file__).resolve().parent
HUB_ROOT = Path(os.environ.get("HUB_ROOT", "/srv/regression-course"))
PORT = int(os.environ.get("HUB_PORT", "8000"))
ENV = HUB_ROOT / "env"
CONFIG = HUB_ROOT / "config"
STATE = HUB_ROOT / "state"
ROSTER = HUB_ROOT / "class.json"
PATH = f"{ENV / 'bin'}:/usr/local/bin:/usr/bin:/bin"

c = get_config()  # noqa: F821  (provided by JupyterHub's config loader)

c.JupyterHub.ip = os.environ.get("HUB_IP", "127.0.0.1")
c.JupyterHub.port = PORT
c.ConfigurableHTTPProxy.api_url = f"http://127.0.0.1:{PORT + 1}"
c.JupyterHub.hub_ip = "127.0.0.1"
c.JupyterHub.hub_port = PORT + 2
c.ConfigurableHTTPProxy.command = [str(HERE / "node_modules" / ".bin" / "configurable-http-proxy")]
c.ConfigurableHTTPProxy.pid_file = str(STATE / "proxy.pid")
c.JupyterHub.db_url = f"sqlite:///{STATE / 'jupyterhub.sqlite'}"
c.JupyterHub.cookie_secret_file = str(STATE / "jupyterhub_cookie_secret")
c.JupyterHub.pid_file = str(STATE / "jupyterhub.pid")
c.JupyterHub.cleanup_servers = True  # stopping the hub stops every server it started

# Debian's MathJax, served by the hub at /hub/mathjax/: the feedback pages and formgrader render
# their maths without a network (COURSE_MATHJAX_URL; the formgrader's template in config/share)
MATHJAX = Path("/usr/share/javascript/mathjax")
MATHJAX_ENV = {}
if (MATHJAX / "MathJax.js").is_file():
    from tornado.web import StaticFileHandler

    c.JupyterHub.extra_handlers = [(r"/mathjax/(.*)", StaticFileHandler, {"path": str(MATHJAX)})]
    MATHJAX_ENV = {
        "COURSE_MATHJAX_URL": "/hub/mathjax/MathJax.js",
        "JUPYTER_PATH": str(CONFIG / "share"),
    }

roster = json.loads(ROSTER.read_text()) if ROSTER.is_file() else None
course = roster["course_id"] if roster else "regression-from-scratch"
instructors = [roster["instructor"]] if roster else []
students = roster["students"] if roster else []

# A demo authenticator: the class's users, one shared password. For a real class use PAM
# ("pam"), LTI (ltiauthenticator) or OAuth (oauthenticator): hub/README.md.
c.JupyterHub.authenticator_class = "dummy"
c.DummyAuthenticator.password = (STATE / "demo-password").read_text().strip()
c.Authenticator.allowed_users = set(instructors + students)
c.Authenticator.admin_users = set(instructors)

# Each user's own server, as that Unix user, from the shared environment; students' servers
# read the hub's configuration with nbgrader's instructor tools switched off.
c.JupyterHub.spawner_class = "localprocess"
c.Spawner.cmd = [str(ENV / "bin" / "jupyterhub-singleuser")]
# the hub stops a server with SIGINT: stop at once, without Jupyter's "Shut down? (y/[n])" wait
SERVER_ARGS = ["--ServerApp.answer_yes=True"]
c.Spawner.args = SERVER_ARGS
c.Spawner.default_url = "/lab"
c.Spawner.notebook_dir = "~"
c.Spawner.http_timeout = 60
c.Spawner.start_timeout = 90
c.Spawner.environment = {
    "PATH": PATH,
    "JUPYTER_CONFIG_PATH": f"{CONFIG / 'student'}:{CONFIG / 'common'}",
}

# nbgrader's groups and roles: the instructor may use the formgrader service; the students may
# see that the course exists (the assignment list asks the hub).
c.JupyterHub.load_groups = {
    f"formgrade-{course}": {"users": instructors},
    f"nbgrader-{course}": {"users": students},
}
c.JupyterHub.load_roles = [
    {
        "name": f"formgrade-{course}",
        "groups": [f"formgrade-{course}"],
        "scopes": [f"access:services!service={course}"],
    },
    {
        "name": f"nbgrader-{course}",
        "groups": [f"nbgrader-{course}"],
        "scopes": ["list:services", f"read:services!service={course}"],
    },
    {
        # the course's own tools and tests drive the hub through its REST API with this token
        "name": "course-admin",
        "services": ["course-admin"],
        "scopes": ["admin:users", "admin:servers", "access:servers", "tokens", "list:users"],
    },
]
c.JupyterHub.services = [
    {"name": "course-admin", "api_token": (STATE / "admin-token").read_text().strip()},
]
if roster:
    c.JupyterHub.services.append({
        # the instructor's JupyterLab on the course root, with formgrader: open
        # /services/<course>/formgrader in a tab of its own (JupyterHub 4.1+ forbids the frame
        # JupyterLab's Formgrader panel would use, nbgrader #1870)
        "name": course,
        "url": f"http://127.0.0.1:{PORT + 3}",
        "command": [str(ENV / "bin" / "jupyterhub-singleuser"), *SERVER_ARGS],
        "user": roster["instructor"],
        "cwd": roster["course_root"],
        "oauth_no_confirm": True,
        "environment": {
            "PATH": PATH,
            "JUPYTERHUB_DEFAULT_URL": "/lab",
            "JUPYTER_CONFIG_PATH": str(CONFIG / "common"),
            **MATHJAX_ENV,
        },
    })
