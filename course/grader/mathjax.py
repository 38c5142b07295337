"""Where the course's HTML pages load MathJax 2 from, so that their maths renders offline.

nbgrader's feedback pages and formgrader load MathJax from a CDN; a class without a network (or
behind a firewall) then reads raw LaTeX. The course's pages use, in order: ``$COURSE_MATHJAX_URL``
(the course's JupyterHub serves Debian's copy at ``/hub/mathjax/MathJax.js``), Debian's copy as a
file where it is installed (package libjs-mathjax), else the CDN.
"""

import os
import re
from pathlib import Path

URL_ENV = "COURSE_MATHJAX_URL"
LOCAL = Path("/usr/share/javascript/mathjax/MathJax.js")
REMOTE = "https://cdnjs.cloudflare.com/ajax/libs/mathjax/2.7.7/MathJax.js"
CDN = re.compile(r"https://cdnjs\.cloudflare\.com/ajax/libs/mathjax/[\d.]+/(?:latest|MathJax)\.js")
"""nbconvert's and nbgrader's MathJax script URL (without its ``?config=`` query)."""


def url():
    """The URL of ``MathJax.js`` (no query) that a course page loads."""
    if os.environ.get(URL_ENV):
        return os.environ[URL_ENV]
    return LOCAL.as_uri() if LOCAL.is_file() else REMOTE


def localized(html):
    """The page ``html`` with its CDN MathJax script loaded from :func:`url` instead."""
    return CDN.sub(url(), html)
