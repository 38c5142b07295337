"""nbgrader configuration of the course. The repository root is the course root."""

import os
import sys

from nbconvert.preprocessors import ClearMetadataPreprocessor, CSSHTMLHeaderPreprocessor
from nbgrader.preprocessors import (
    AssignLatePenalties,
    CheckCellMetadata,
    ClearHiddenTests,
    GetGrades,
    IgnorePattern,
    LimitOutput,
    SaveAutoGrades,
)

from course.grader import sandbox
from course.grader.grading import RecordGraded, TrustedExecute

c = get_config()  # noqa: F821  (provided by nbgrader's config loader)

c.CourseDirectory.course_id = "regression-from-scratch"
c.CourseDirectory.root = os.path.dirname(os.path.abspath(__file__))

# Grading kernels run in a sandbox (bubblewrap, rlimits, no network, the course hidden), reached
# over IPC sockets; COURSE_NO_SANDBOX=1 (course autograde --no-sandbox) turns it off. Grading
# fails closed: plain `nbgrader autograde` stops here, in one line, where bubblewrap cannot run.
sandbox.configure(c, c.CourseDirectory.root)
if sys.argv[1:2] == ["autograde"] and sandbox.refusal():
    sys.exit(f"nbgrader autograde: {sandbox.refusal()}")

# Release notebooks keep no outputs, and the release holds no solution and no hidden test.
c.ClearSolutions.code_stub = {"python": "# your code here\nraise NotImplementedError()"}
c.ClearSolutions.text_stub = "YOUR ANSWER HERE"

# Grading: a test cell a student deleted or edited comes back and runs as written.
c.OverwriteCells.add_missing_cells = True
# Grading: one kernel per notebook, shut down at once; no cell of the course needs more than
# a few seconds, so 30 s per cell (COURSE_CELL_TIMEOUT, course autograde --cell-timeout) catches
# a loop that never ends.
c.Execute.timeout = int(os.environ.get("COURSE_CELL_TIMEOUT", "30"))
c.Execute.interrupt_on_timeout = True
c.Execute.shutdown_kernel = "immediate"
# Grading: a new kernel is used as soon as it has answered, not after 0.2 s of silence
# (course/grader/promptclient.py).
c.AsyncKernelManager.client_class = "course.grader.promptclient.PromptClient"

# Grading: test cells run in the grader's own process, not in the student's kernel, so that no
# submission can rig them, and the hidden tests' code never reaches it (course/grader/trusted.py).
c.Autograde.autograde_preprocessors = [
    TrustedExecute,
    IgnorePattern,
    ClearMetadataPreprocessor,
    LimitOutput,
    SaveAutoGrades,
    AssignLatePenalties,
    CheckCellMetadata,
    RecordGraded,  # grading-status.json: graded, whatever ran nbgrader (course/grader/standing.py)
]
# Feedback: the hidden tests' code is cut from the report; a failed test shows its message.
c.GenerateFeedback.preprocessors = [GetGrades, ClearHiddenTests, CSSHTMLHeaderPreprocessor]
