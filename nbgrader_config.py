"""nbgrader configuration of the course. The repository root is the course root."""

import os

c = get_config()  # noqa: F821  (provided by nbgrader's config loader)

c.CourseDirectory.course_id = "regression-from-scratch"
c.CourseDirectory.root = os.path.dirname(os.path.abspath(__file__))

# Release notebooks keep no outputs, and the release holds no solution and no hidden test.
c.ClearSolutions.code_stub = {"python": "# your code here\nraise NotImplementedError()"}
c.ClearSolutions.text_stub = "YOUR ANSWER HERE"

# Grading: a test cell a student deleted or edited comes back and runs as written.
c.OverwriteCells.add_missing_cells = True
# Grading: one kernel per notebook, shut down at once; no cell of the course needs more than
# a few seconds, so 30 s per cell catches a loop that never ends.
c.Execute.timeout = 30
c.Execute.interrupt_on_timeout = True
c.Execute.shutdown_kernel = "immediate"
