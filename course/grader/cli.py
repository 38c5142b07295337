"""The ``course`` command (also ``python -m course``): release, start, and more.

Each command imports what it needs when it runs: ``course --help``, ``course start`` and
``course progress`` never load nbgrader, which takes seconds to import.
"""

import argparse
import os
import shutil
import sys
from pathlib import Path

from course.grader import paths


def _report(ids, failures, done):
    """Print a line per assignment (``done`` or FAILED) and the errors; return the exit code."""
    for assignment_id in ids:
        print(f"{assignment_id:28s} {'FAILED' if assignment_id in failures else done}")
    for assignment_id, error in failures.items():
        print(f"\n{assignment_id}:\n{error}", file=sys.stderr)
    return 1 if failures else 0


def cmd_release(args):
    """Regenerate release/ from source/ with nbgrader."""
    from course.grader import pipeline

    ids = paths.check_assignments(args.assignments)
    return _report(ids, pipeline.release(paths.ROOT, ids), "released")


def cmd_feedback(args):
    """Write HTML feedback for every graded submission: each test passed or failed with its
    message, and no hidden test's code."""
    from course.grader import feedbackmarks, pipeline

    ids = paths.check_assignments(args.assignments)
    code = _report(ids, pipeline.feedback(paths.ROOT, ids), "written")
    waiting = feedbackmarks.mark_pending(paths.ROOT, ids)
    if waiting:
        print(
            f"warning: {waiting} {'report shows' if waiting == 1 else 'reports show'} written "
            "answers still waiting "
            "for hand grading (marked 'not graded yet'): grade them in formgrader, then run "
            "course feedback again",
            file=sys.stderr,
        )
    print(f"Reports: {paths.ROOT / 'feedback'}/<student>/<assignment>/<assignment>.html")
    return code


def cmd_start(args):
    """Copy release notebooks into the workspace, never overwriting a file already there."""
    ids = paths.check_assignments(args.assignments)
    workspace = paths.workspace_dir()
    for assignment_id in ids:
        source = paths.ROOT / "release" / assignment_id
        for path in sorted(source.rglob("*")):
            if path.is_dir():
                continue
            target = workspace / assignment_id / path.relative_to(source)
            if target.exists():
                print(f"kept     {target.relative_to(workspace)} (your work is never overwritten)")
                continue
            target.parent.mkdir(parents=True, exist_ok=True)
            if path.suffix == ".ipynb":
                _copy_notebook(path, target)
            else:
                shutil.copy2(path, target)
            print(f"copied   {target.relative_to(workspace)}")
    print(f"Your workspace: {workspace}")
    print(
        "The solutions and the hidden tests are in the course's source/ folder: work here, "
        "and check your work with `course grade` (it runs the hidden tests for you)."
    )
    return 0


def _copy_notebook(path, target):
    """Copy a release notebook, with the language information this interpreter's kernel
    reports: JupyterLab writes it into a notebook when the kernel starts, and a notebook that
    lacks it shows as modified the moment it is opened."""
    import json
    import platform

    nb = json.loads(path.read_text())
    nb["metadata"]["language_info"] = {  # as ipykernel's IPythonKernel.language_info
        "name": "python",
        "version": platform.python_version(),
        "mimetype": "text/x-python",
        "codemirror_mode": {"name": "ipython", "version": 3},
        "pygments_lexer": "ipython3",
        "nbconvert_exporter": "python",
        "file_extension": ".py",
    }
    target.write_text(json.dumps(nb, indent=1, ensure_ascii=False) + "\n")


def cmd_grade(args):
    """Grade your notebook (or assignment folder) with the hidden tests, on a copy of it."""
    from rich.console import Console
    from rich.table import Table

    from course.grader import selfstudy

    console = Console(highlight=False)
    try:
        report = selfstudy.grade(args.path, on_progress=lambda text: print(text, file=sys.stderr))
    except selfstudy.CannotGrade as error:
        print(f"course grade: {error}", file=sys.stderr)
        return 2
    table = Table(title=f"{report.assignment_id}: your grade", title_justify="left")
    for column in ("exercise", "points", "what to look at"):
        table.add_column(column)
    for e in report.exercises:
        if e.manual and e.blank:
            table.add_row(e.name, f"–/{e.maximum:g}", "written answer: blank, nothing written yet")
        elif e.manual:
            table.add_row(
                e.name, f"–/{e.maximum:g}", "written answer: not graded here (a person grades it)"
            )
        else:
            note = "all tests pass" if e.score == e.maximum else "\n".join(e.messages)
            table.add_row(e.name, f"{e.score:g}/{e.maximum:g}", note)
    console.print(table)
    auto = [e for e in report.exercises if not e.manual]
    total = sum(e.score for e in auto), sum(e.maximum for e in auto)
    written = sum(e.maximum for e in report.exercises if e.manual)
    line = f"Total (autograded): {total[0]:g}/{total[1]:g}"
    if written:
        line += f"; written answers, graded by a person: {written:g} more points"
    print(line)
    print(f"Feedback report: {report.feedback}")  # plain print: a path is never wrapped
    return 0 if report.passed else 1


def cmd_progress(args):
    """Show, per assignment in your workspace, the exercises attempted and your last grade."""
    from rich.console import Console
    from rich.table import Table

    from course.grader import progress

    table = Table(title=f"Progress in {paths.workspace_dir()}", title_justify="left")
    for column in ("assignment", "attempted", "last grade", "when"):
        table.add_column(column)
    for assignment_id, attempted, total, last in progress.rows():
        started = "not started" if attempted is None else f"{attempted}/{total}"
        grade = f"{last['score']:g}/{last['maximum']:g}" if last else "–"
        if last and last.get("written"):
            grade += f" + {last['written']:g} by hand"
        table.add_row(assignment_id, started, grade, last["when"] if last else "–")
    Console(highlight=False).print(table)
    return 0


def cmd_autograde(args):
    """Grade every submission in submitted/ with nbgrader, several notebooks at once (or only
    some students' with --student)."""
    import time

    from rich.console import Console
    from rich.progress import Progress
    from rich.table import Table

    from course.grader import classgrade

    ids = paths.check_assignments(args.assignments)
    work = classgrade.chosen(paths.ROOT, ids, args.student)
    if not use_sandbox(args):
        return 2
    os.environ["COURSE_CELL_TIMEOUT"] = str(args.cell_timeout)  # read by nbgrader_config.py
    if args.cold:
        from course.grader import warmstart

        os.environ[warmstart.COLD_ENV] = "1"  # read by the workers
    total = sum(len(v) for v in work.values())
    console = Console(highlight=False, stderr=True)
    limits = classgrade.Limits(cell=args.cell_timeout, notebook=args.notebook_timeout)
    start = time.perf_counter()
    try:
        with Progress(console=console, transient=False) as bar:
            task = bar.add_task(f"grading {len(work)} students", total=total)
            outcomes = classgrade.grade_class(
                paths.ROOT,
                ids,
                args.jobs,
                limits,
                on_outcome=lambda outcome: bar.advance(task),
                students=args.student,
            )
    except KeyboardInterrupt:
        print(
            "interrupted: what was graded is kept; run course autograde again to finish",
            file=sys.stderr,
        )
        return 130
    handed_in = {a for mine in work.values() for a in mine}  # assignments somebody submitted
    counts = classgrade.summary(outcomes, time.perf_counter() - start, len(work) * len(handed_in))
    table = Table(title="Summary", title_justify="left")
    for key in counts:
        table.add_column(key)
    table.add_row(*(str(v) for v in counts.values()))
    Console(highlight=False).print(table)
    problems = [o for o in outcomes if o.status != "graded"]
    if problems:
        failures = Table(title="Not graded", title_justify="left")
        for column in ("student", "assignment", "status", "reason"):
            failures.add_column(column)
        for o in sorted(problems, key=lambda o: (o.student, o.assignment)):
            failures.add_row(o.student, o.assignment, o.status, o.reason)
        Console(highlight=False).print(failures)
    return 1 if any(o.status == "failed" for o in outcomes) else 0


def cmd_export(args):
    """Export the class's grades as CSV: one row per student and assignment with each exercise's
    points, the late penalty and the status (--format course), or Canvas's gradebook import
    layout (--format canvas)."""
    ids = paths.check_assignments(args.assignments)
    if not _has_gradebook("export"):
        return 1
    from course.grader import canvas, exports, pipeline

    output = args.output or sys.stdout
    names = {a: pipeline.exercises(paths.ROOT, a) for a in ids}
    if args.format == "canvas":
        found = canvas.export(paths.ROOT, ids, names, output, args.include_pending)
    else:
        found = exports.export(paths.ROOT, ids, names, output)
    if args.output:
        rows = len({s for s, _, _ in found}) if args.format == "canvas" else len(found)
        print(f"{rows} rows written to {args.output}")
    warning = exports.pending_warning(found)
    if warning:
        left = " (left empty in the Canvas file; --include-pending posts them)"
        if args.format != "canvas":
            left = ""
        elif args.include_pending:
            left = " (posted as they are: --include-pending)"
        print(f"course export: {warning}{left}", file=sys.stderr)
    return 0


def cmd_extend(args):
    """Give a student more time on an assignment: their due date becomes the assignment's plus
    HOURS; regrade them (course autograde ASSIGNMENT --student NAME) to apply it."""
    if not _has_gradebook("extend"):
        return 1
    from course.grader import deadlines

    (assignment_id,) = paths.check_assignments([args.assignment])
    due = deadlines.extend(paths.ROOT, assignment_id, args.student, args.hours)
    print(
        f"{args.student} is due {due:%Y-%m-%d %H:%M} UTC for {assignment_id}; regrade to apply: "
        f"course autograde {assignment_id} --student {args.student}"
    )
    return 0


def cmd_remove_demo(args):
    """Remove the demo class (demo_complete, demo_partial, demo_blank) from the gradebook, the
    grading status, submitted/, autograded/ and feedback/, to start a real class."""
    from course.grader import democlass

    removed = democlass.remove(paths.ROOT)
    for line in removed:
        print(f"removed  {line}")
    print("The demo class is gone." if removed else "There is no demo class here.")
    return 0


def _has_gradebook(command):
    """True when the course has a gradebook; else say so in one line (before importing
    nbgrader, which takes two seconds)."""
    if (paths.ROOT / "gradebook.db").is_file():
        return True
    print(
        f"course {command}: {paths.NO_GRADEBOOK}",
        file=sys.stderr,
    )
    return False


def cmd_report(args):
    """Write the class report: per assignment the scores, and per exercise the mistakes the failed
    tests named, with how many students made each (one HTML file; no student named by default)."""
    ids = paths.check_assignments(args.assignments)
    if not _has_gradebook("report"):
        return 1
    from course.grader import classreport, reportpage

    try:
        results = classreport.collect(paths.ROOT, ids)
    except classreport.NothingGraded as nothing:
        print(f"course report: {nothing}", file=sys.stderr)
        return 1
    if not args.assignments:  # all of them: those nobody handed in stay out of the page
        shown = [a for a in results if a.totals or a.failed]
    else:
        shown = results
    output = Path(args.output)
    try:
        output.write_text(reportpage.page(shown, names=args.names))
    except OSError as error:
        print(f"course report: cannot write {output}: {error.strerror}", file=sys.stderr)
        return 1
    print(reportpage.summary(results))
    print(f"Report: {output}")
    return 0


SANDBOX_HELP = "run the grading kernels without the bubblewrap sandbox (on purpose)"


def use_sandbox(args):
    """Apply ``--no-sandbox`` to the grading processes; False, after a one-line error, when the
    sandbox should run and cannot (grading students' code fails closed)."""
    from course.grader import sandbox

    if args.no_sandbox:
        os.environ[sandbox.OFF_ENV] = "1"
    why = sandbox.refusal()
    if why:
        print(f"course {args.command}: {why}", file=sys.stderr)
    return why is None


def build_parser():
    """The argument parser of the ``course`` command."""
    parser = argparse.ArgumentParser(prog="course", description="Regression from Scratch")
    sub = parser.add_subparsers(dest="command", required=True)
    for name, func in (("release", cmd_release), ("feedback", cmd_feedback), ("start", cmd_start)):
        command = sub.add_parser(name, help=func.__doc__, description=func.__doc__)
        command.add_argument(
            "assignments", nargs="*", metavar="ASSIGNMENT", help="assignment ids (default: all)"
        )
        command.set_defaults(func=func)
    grade = sub.add_parser("grade", help=cmd_grade.__doc__, description=cmd_grade.__doc__)
    grade.add_argument("path", help="your notebook, or its assignment folder in the workspace")
    grade.set_defaults(func=cmd_grade)
    progress = sub.add_parser(
        "progress", help=cmd_progress.__doc__, description=cmd_progress.__doc__
    )
    progress.set_defaults(func=cmd_progress)
    autograde = sub.add_parser(
        "autograde", help=cmd_autograde.__doc__, description=cmd_autograde.__doc__
    )
    autograde.add_argument(
        "assignments", nargs="*", metavar="ASSIGNMENT", help="assignment ids (default: all)"
    )
    autograde.add_argument(
        "--jobs",
        type=int,
        default=os.cpu_count() or 1,
        help="notebooks graded at once (default: one per core)",
    )
    autograde.add_argument(
        "--student",
        action="append",
        metavar="NAME",
        help="grade only this student's submissions (repeat for several)",
    )
    autograde.add_argument(
        "--notebook-timeout",
        type=float,
        default=None,
        metavar="SECONDS",
        help="time one notebook may take in all before it counts as failed (default: every "
        "code cell at the cell limit, plus 2.5 minutes)",
    )
    autograde.add_argument(
        "--cell-timeout",
        type=int,
        default=int(os.environ.get("COURSE_CELL_TIMEOUT", "30")),
        metavar="SECONDS",
        help="time one cell may take before it is interrupted and fails (30)",
    )
    autograde.add_argument("--no-sandbox", action="store_true", help=SANDBOX_HELP)
    autograde.add_argument(
        "--cold",
        action="store_true",
        help="start every grading kernel afresh (default: a student's kernels are forked from a "
        "warm parent in their sandbox that has imported the notebooks' libraries once)",
    )
    autograde.set_defaults(func=cmd_autograde)
    export = sub.add_parser("export", help=cmd_export.__doc__, description=cmd_export.__doc__)
    export.add_argument(
        "assignments", nargs="*", metavar="ASSIGNMENT", help="assignment ids (default: all)"
    )
    export.add_argument("--output", metavar="FILE", help="CSV file (default: standard output)")
    export.add_argument(
        "--include-pending",
        action="store_true",
        help="canvas: post the totals of submissions whose written answers wait for hand "
        "grading (left empty by default: they are incomplete)",
    )
    export.add_argument(
        "--format",
        choices=("course", "canvas"),
        default="course",
        help="course: points per exercise (default); canvas: Canvas's gradebook import",
    )
    export.set_defaults(func=cmd_export)
    report = sub.add_parser("report", help=cmd_report.__doc__, description=cmd_report.__doc__)
    report.add_argument(
        "assignments", nargs="*", metavar="ASSIGNMENT", help="assignment ids (default: all)"
    )
    report.add_argument(
        "--output", metavar="FILE", default="class-report.html", help="(class-report.html)"
    )
    report.add_argument("--names", action="store_true", help="list students by id")
    report.set_defaults(func=cmd_report)
    extend = sub.add_parser("extend", help=cmd_extend.__doc__, description=cmd_extend.__doc__)
    extend.add_argument("assignment", metavar="ASSIGNMENT")
    extend.add_argument("student", metavar="STUDENT")
    extend.add_argument("--hours", type=float, required=True, help="hours past the due date")
    extend.set_defaults(func=cmd_extend)
    remove = sub.add_parser(
        "remove-demo", help=cmd_remove_demo.__doc__, description=cmd_remove_demo.__doc__
    )
    remove.set_defaults(func=cmd_remove_demo)
    parser.commands = sub.choices
    return parser


def main(argv=None):
    """Run the ``course`` command; return its exit code."""
    parser = build_parser()
    args, extra = parser.parse_known_args(argv)
    if extra:  # the command's own usage, not the top level's
        parser.commands[args.command].error(f"unrecognized arguments: {' '.join(extra)}")
    paths.put_interpreter_on_path()  # nbgrader runs alembic, and kernels, from there
    try:
        return args.func(args)
    except ValueError as error:
        print(f"course {args.command}: {error}", file=sys.stderr)
        return 2
