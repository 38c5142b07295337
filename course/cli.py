"""The ``course`` command (also ``python -m course``): release, start, and more."""

import argparse
import shutil
import sys

from course import paths, pipeline


def _report(ids, failures, done):
    """Print a line per assignment (``done`` or FAILED) and the errors; return the exit code."""
    for assignment_id in ids:
        print(f"{assignment_id:28s} {'FAILED' if assignment_id in failures else done}")
    for assignment_id, error in failures.items():
        print(f"\n{assignment_id}:\n{error}", file=sys.stderr)
    return 1 if failures else 0


def cmd_release(args):
    """Regenerate release/ from source/ with nbgrader."""
    ids = paths.check_assignments(args.assignments)
    return _report(ids, pipeline.release(paths.ROOT, ids), "released")


def cmd_feedback(args):
    """Write HTML feedback for every graded submission: each test passed or failed with its
    message, and no hidden test's code."""
    ids = paths.check_assignments(args.assignments)
    code = _report(ids, pipeline.feedback(paths.ROOT, ids), "written")
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
            shutil.copy2(path, target)
            print(f"copied   {target.relative_to(workspace)}")
    print(f"Your workspace: {workspace}")
    return 0


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
    return parser


def main(argv=None):
    """Run the ``course`` command; return its exit code."""
    args = build_parser().parse_args(argv)
    try:
        return args.func(args)
    except ValueError as error:
        print(f"course {args.command}: {error}", file=sys.stderr)
        return 2
