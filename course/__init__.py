"""Regression from Scratch: the helper package the course notebooks import.

Importing it in a notebook also makes a NameError say how to fix it (see :mod:`course.hints`).
"""

from course import hints

hints.install()
