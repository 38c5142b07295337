"""``python -m course``: the course command."""

import sys

from course.grader.cli import main

sys.exit(main())
