"""Stress: run every source notebook headless many times, several at once; print the slowest run.

    .venv/bin/python benchmarks/stress_notebooks.py [--runs 20] [--parallel 2] [--cell-timeout 60]

Each run is a process of its own that executes one notebook top to bottom with nbclient in a
fresh kernel, as ``jupyter nbconvert --execute`` and the test suite do. A run that stalls is
stopped by the cell timeout and named with the cell it stalled in. Figures, not a test.
"""

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

RUN = """
import json, sys, time
import nbformat
from nbclient import NotebookClient
from nbclient.exceptions import CellTimeoutError
path, cwd, timeout = sys.argv[1], sys.argv[2], float(sys.argv[3])
nb = nbformat.read(path, as_version=4)
events = [("start", time.perf_counter())]
def mark(label):
    return lambda **kw: events.append((label.format(**kw), time.perf_counter()))
client = NotebookClient(nb, timeout=timeout, kernel_name="python3", allow_errors=True,
                        resources={"metadata": {"path": cwd}},
                        on_notebook_start=mark("kernel started"),
                        on_cell_start=mark("cell {cell_index}"),
                        on_notebook_complete=mark("after the last cell"))
stalled = None
start = time.perf_counter()
try:
    client.execute()
except CellTimeoutError as error:
    stalled = str(error).splitlines()[0][:120]
errors = sum(o.output_type == "error" for c in nb.cells if c.cell_type == "code" for o in c.outputs)
events.append(("kernel shut down", time.perf_counter()))
gaps = [(events[i + 1][1] - events[i][1], events[i][0]) for i in range(len(events) - 1)]
took, label = max(gaps)
if label.startswith("cell "):
    label += ": " + nb.cells[int(label.split()[1])].source.splitlines()[0][:60]
print(json.dumps({"seconds": time.perf_counter() - start, "stalled": stalled, "errors": errors,
                  "slowest_step": f"{took:.1f} s in {label}"}))
"""


def run_once(notebook, cell_timeout):
    """Execute ``notebook`` once in a process of its own; return its JSON summary."""
    with tempfile.TemporaryDirectory() as cwd:
        result = subprocess.run(
            [sys.executable, "-c", RUN, str(notebook), cwd, str(cell_timeout)],
            capture_output=True,
            text=True,
        )
    if result.returncode:
        return {"seconds": float("nan"), "stalled": result.stderr[-300:], "errors": -1}
    return json.loads(result.stdout.strip().splitlines()[-1])


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=20, help="runs of each notebook (20)")
    parser.add_argument("--parallel", type=int, default=2, help="runs at once (2)")
    parser.add_argument("--cell-timeout", type=float, default=60.0, help="seconds per cell (60)")
    parser.add_argument("assignments", nargs="*", help="assignment ids (default: all)")
    args = parser.parse_args()
    ids = args.assignments or sorted(
        p.name for p in (ROOT / "source").iterdir() if (p / f"{p.name}.ipynb").is_file()
    )
    print(
        f"{args.runs} runs of each notebook, {args.parallel} at a time, cell timeout "
        f"{args.cell_timeout:g} s"
    )
    print(f"{'notebook':28s} {'median':>8s} {'slowest':>8s} {'stalls':>6s} {'errors':>6s}")
    worst = 0.0
    for assignment_id in ids:
        notebook = ROOT / "source" / assignment_id / f"{assignment_id}.ipynb"
        with ThreadPoolExecutor(args.parallel) as pool:
            runs = list(pool.map(run_once, [notebook] * args.runs, [args.cell_timeout] * args.runs))
        seconds = [r["seconds"] for r in runs]
        stalls = [r["stalled"] for r in runs if r["stalled"]]
        errors = sum(r["errors"] != 0 for r in runs)
        worst = max(worst, max(seconds))
        print(
            f"{assignment_id:28s} {statistics.median(seconds):7.2f}s {max(seconds):7.2f}s "
            f"{len(stalls):6d} {errors:6d}"
        )
        for stall in stalls:
            print(f"    stalled: {stall}")
        slow = max(runs, key=lambda r: r["seconds"])
        print(f"    slowest run's slowest step: {slow.get('slowest_step', '')}")
    print(f"slowest run of any notebook: {worst:.2f} s")


if __name__ == "__main__":
    start = time.perf_counter()
    main()
    print(f"(stress run took {time.perf_counter() - start:.0f} s)")
