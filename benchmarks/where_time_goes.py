"""Where the time of `optimizer run` goes: imports, then each phase, with the top functions.

    python benchmarks/where_time_goes.py                 # default scenario, 5-year steps
    python benchmarks/where_time_goes.py --step 1        # the same at annual steps
    python benchmarks/where_time_goes.py --label after   # name of the file written

Writes benchmarks/results/profile-<label>-<step>y.txt: the imports the run pulls in (from
`python -X importtime`, slowest top-level packages first, in a fresh process), then the
in-process phases (load, build, hand-off, solve, reference, extract, write) in wall and CPU
seconds, then cProfile's top functions by cumulative time for the whole run. CPU seconds are
the steadier figure on a shared machine; compare shares, not absolute seconds.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import pstats
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
RESULTS = Path(__file__).resolve().parent / "results"
sys.path.insert(0, str(Path(__file__).resolve().parent))


def imports(top: int = 25) -> str:
    """The slowest imports of `optimizer run --no-report` (what the CLI imports before solving)."""
    code = (
        "import optimizer.cli, optimizer.runner, optimizer.solve.handoff as h; "
        "getattr(h, 'prepare_compiler', lambda: None)()"
    )
    done = subprocess.run(
        [sys.executable, "-X", "importtime", "-c", code], capture_output=True, text=True, cwd=ROOT, check=True
    )
    rows = []
    for line in done.stderr.splitlines():
        if not line.startswith("import time:") or "|" not in line:
            continue
        _, cumulative, name = (part.strip() for part in line.split(":", 1)[1].split("|"))
        if cumulative.isdigit():
            rows.append((int(cumulative), name, len(line.split("|")[2]) - len(line.split("|")[2].lstrip())))
    total = max(rows)[0] if rows else 0
    lines = [f"imports: {total / 1e6:.2f} s in all (cumulative µs by module; indentation = nesting)"]
    for cumulative, name, depth in sorted(rows, reverse=True)[:top]:
        lines.append(f"  {cumulative / 1e6:7.3f} s  {' ' * max(depth - 1, 0)}{name}")
    heavy = [name for name in ("matplotlib", "scipy.stats", "SALib", "dask", "distributed") if _imported(rows, name)]
    lines.append(f"  heavy modules imported: {', '.join(heavy) or 'none'}")
    return "\n".join(lines)


def _imported(rows: list, name: str) -> bool:
    return any(row[1] == name for row in rows)


def phases(step: int) -> tuple[str, cProfile.Profile]:
    """Run the default scenario at `step` in this process; phase wall/CPU seconds and a profile."""
    from run import scenario_file

    from optimizer.runner import solve_scenario, write_run

    with tempfile.TemporaryDirectory() as tmp:
        scenario = scenario_file(Path(tmp), step)
        profile = cProfile.Profile()
        wall, cpu = time.perf_counter(), time.process_time()
        profile.enable()
        run = solve_scenario(scenario)
        write_run(run, Path(tmp) / "out")
        profile.disable()
        wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    timings = run.summary["timings"]
    n_cols, n_rows, n_nonzeros = run.solver.size
    lines = [f"default scenario, step {step}: {n_cols} columns, {n_rows} rows, {n_nonzeros} non-zeros"]
    lines.append(f"  whole run in-process (under cProfile): {wall:.2f} s wall, {cpu:.2f} s CPU")
    for name, seconds in timings.items():
        lines.append(f"  {name:<10}{seconds:8.3f} s  ({seconds / wall:5.1%})")
    return "\n".join(lines), profile


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--step", type=int, default=5)
    parser.add_argument("--label", default="latest")
    parser.add_argument("--top", type=int, default=40)
    args = parser.parse_args(argv)
    sections = [imports()]
    text, profile = phases(args.step)
    sections.append(text)
    stream = io.StringIO()
    pstats.Stats(profile, stream=stream).sort_stats("cumulative").print_stats(args.top)
    sections.append("cProfile, by cumulative time:\n" + stream.getvalue().split("\n", 4)[-1])
    report = "\n\n".join(sections)
    print(report)
    RESULTS.mkdir(parents=True, exist_ok=True)
    target = RESULTS / f"profile-{args.label}-{args.step}y.txt"
    target.write_text(report + "\n", encoding="utf-8")
    print(f"written to {target}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
