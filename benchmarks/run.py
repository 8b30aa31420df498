"""Benchmark harness: `optimizer run` and sweeps against HiGHS alone, as ratios measured in one run.

    python benchmarks/run.py                 # every target (~10-20 minutes on 2 cores)
    python benchmarks/run.py --quick         # 5-year steps only, one repetition, 20-point sweeps
    python benchmarks/run.py --source DIR    # the same measurements of another checkout (e.g. main)
    python benchmarks/run.py --compare DIR   # and another checkout's runs in the same rotation
    python benchmarks/run.py --regions       # also the multi-region phase cases
    python benchmarks/run.py --skip runs --skip phases --steps 5 --sweep-repetitions 3 --merge
                                             # repeat only the 5-year sweeps, into latest.json

Whole processes are timed, each case in a fresh Python process, repetitions interleaved so that
a noisy neighbour slows every case alike; medians are reported:
- **HiGHS alone**: a Python process that reads the MPS file the run wrote (`--write-mps`) and
  solves it with highspy, with the run's solver settings (dual simplex, one thread);
- `optimizer run` with its report and with `--no-report`, on the shipped default scenario at its
  5-year steps and at annual steps (the same scenario with `step = 1`);
- sweeps: a one-at-a-time sweep of the hydrogen price over N values (in-process `run_sweep`
  in a fresh child, so start-up, preparation, every point and assembly count; the analysis
  charts do not), on 1 and 2 workers and with the default `--workers`;
- phases in-process (load, build, hand-off, solve, reference, extract, write) for the same
  cases, for the README's table.

The scenario files are made from the shipped default scenario, so the harness follows the
dataset as it grows. Results go to benchmarks/results/latest.json (or --out); each target is
printed beside its measured ratio. Wall seconds on a shared 2-core machine are noisy; CPU
seconds (user + system of the process) are recorded beside them.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DATASET = ROOT / "inputs" / "china-industry"
DEFAULT = ROOT / "inputs" / "scenarios" / "net-zero-2060.toml"
RESULTS = Path(__file__).resolve().parent / "results"
sys.path.insert(0, str(Path(__file__).resolve().parent))

TARGETS = {  # name: (target ratio, True when the measured ratio must be at most the target)
    "run_5y_over_highs": (12.0, True),
    "run_no_report_5y_over_highs": (6.0, True),
    "run_no_report_annual_over_highs": (1.5, True),
    "sweep_point_over_solve_annual": (1.2, True),
    "sweep_2_over_1_workers_5y": (1.8, False),
    "sweep_2_over_1_workers_annual": (1.8, False),
}
MOONSHOTS = {"run_no_report_5y_over_highs": 4.0, "run_no_report_annual_over_highs": 1.2}

HIGHS_ALONE = """
import sys, time, highspy
h = highspy.Highs()
h.setOptionValue("output_flag", False)
h.setOptionValue("threads", 1)
h.setOptionValue("solver", "simplex")
h.readModel(sys.argv[1])
h.run()
assert h.getModelStatus() == highspy.HighsModelStatus.kOptimal, h.getModelStatus()
print(h.getInfo().objective_function_value)
"""


def scenario_file(folder: Path, step: int, name: str = "default") -> Path:
    """The shipped default scenario at `step`-year steps, written to `folder` with its dataset's
    absolute path (so the benchmark follows whatever the default scenario and dataset become)."""
    text = DEFAULT.read_text(encoding="utf-8")
    dataset = re.search(r'^dataset\s*=\s*"([^"]+)"', text, flags=re.MULTILINE)
    absolute = (DEFAULT.parent / dataset.group(1)).resolve().as_posix() if dataset else DATASET.as_posix()
    text = re.sub(r'^dataset\s*=\s*"[^"]*"', f'dataset = "{absolute}"', text, flags=re.MULTILINE)
    text = re.sub(r'^name\s*=\s*"[^"]*"', f'name = "{name}"', text, flags=re.MULTILINE)
    text = re.sub(r"step\s*=\s*\d+", f"step = {step}", text)
    path = folder / f"{name}-{step}y.toml"
    path.write_text(text, encoding="utf-8")
    return path


def _environment(source: Path | None) -> dict[str, str]:
    env = dict(os.environ)
    if source is not None:  # another checkout's package ahead of the installed one
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(source), env.get("PYTHONPATH", "")]))
    return env


def _timed(command: list[str], env: dict[str, str], cwd: Path) -> tuple[float, float, str]:
    """(wall seconds, CPU seconds, standard output) of one process."""
    started = time.perf_counter()
    process = subprocess.Popen(command, cwd=cwd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    out, err = process.communicate()
    wall = time.perf_counter() - started
    if process.returncode != 0:
        raise RuntimeError(f"{' '.join(command)} failed ({process.returncode}):\n{err[-2000:]}")
    return wall, 0.0, out


def _cpu_of_children() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def whole_runs(
    steps: tuple[int, ...], repetitions: int, source: Path | None, report: bool, compare: Path | None = None
) -> dict:
    """Interleaved repetitions of HiGHS alone and `optimizer run` (with and without report);
    with `compare`, that checkout's runs too (named `…@compare`), in the same rotation."""
    python = sys.executable
    samples: dict[str, list[tuple[float, float]]] = {}
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        cases: list[tuple[str, list[str], dict[str, str]]] = []
        for step in steps:
            scenario = scenario_file(folder, step)
            mps = folder / f"lp-{step}y.mps"
            label = "5y" if step == 5 else ("annual" if step == 1 else f"{step}y")
            run = [python, "-m", "optimizer", "run", str(scenario), "--quiet", "--out"]
            env = _environment(source)
            # the MPS comes from the run itself (written once, up front)
            subprocess.run([*run, str(folder / "first"), "--no-report", "--write-mps", str(mps)], env=env,
                           cwd=folder, check=True, capture_output=True)  # fmt: skip
            cases.append((f"highs_alone_{label}", [python, "-c", HIGHS_ALONE, str(mps)], env))
            for suffix, checkout in (("", source), ("@compare", compare)) if compare else (("", source),):
                env = _environment(checkout)
                cases.append((f"run_no_report_{label}{suffix}", [*run, str(folder / "out"), "--no-report"], env))
                if report and step == 5:
                    cases.append((f"run_{label}{suffix}", [*run, str(folder / "out-report")], env))
                if step == 1 and not suffix:  # what the no-policy reference costs (a flag main lacks)
                    command = [*run, str(folder / "out"), "--no-report", "--no-reference"]
                    cases.append((f"run_no_report_no_reference_{label}", command, env))
        for repetition in range(repetitions):
            for name, command, env in cases:
                before = _cpu_of_children()
                wall, _, _ = _timed(command, env, folder)
                samples.setdefault(name, []).append((wall, _cpu_of_children() - before))
                print(f"  {name:<34} repetition {repetition + 1}: {wall:7.2f} s wall", flush=True)
    result = {
        name: {
            "wall_s": [round(w, 3) for w, _ in values],
            "cpu_s": [round(c, 3) for _, c in values],
            "median_wall_s": round(statistics.median(w for w, _ in values), 3),
            "median_cpu_s": round(statistics.median(c for _, c in values), 3),
        }
        for name, values in samples.items()
    }
    for name in list(result):
        if name.startswith("run_"):
            label = name.split("@")[0].rsplit("_", 1)[1]
            alone = result[f"highs_alone_{label}"]
            result[name]["over_highs_alone"] = round(result[name]["median_wall_s"] / alone["median_wall_s"], 2)
            result[name]["cpu_over_highs_alone"] = round(result[name]["median_cpu_s"] / alone["median_cpu_s"], 2)
    return result


SWEEP = """name = "bench-hydrogen-price"
base = "{base}"
method = "one-at-a-time"

[[parameter]]
name = "hydrogen_price"
table = "commodity_prices"
where = {{ commodity = "hydrogen" }}
column = "price"
op = "scale"
values = [{values}]
"""


SAMPLED = """name = "bench-costs"
base = "{base}"
method = "latin-hypercube"
samples = {samples}
seed = 11

[[parameter]]
name = "hydrogen_price"
table = "commodity_prices"
where = {{ commodity = "hydrogen" }}
column = "price"
op = "scale"
range = [0.5, 1.5]

[[parameter]]
name = "coal_price"
table = "commodity_prices"
where = {{ commodity = "coal" }}
column = "price"
op = "scale"
range = [0.7, 1.5]

[[parameter]]
name = "storage_price"
table = "commodity_prices"
where = {{ commodity = "co2_storage" }}
column = "price"
op = "scale"
range = [0.5, 2.0]
"""


def sweep_case(step: int, workers: int | None, points: int, sampled: bool = False) -> dict:
    """A one-at-a-time sweep of the hydrogen price over `points` values (with `sampled`, a
    Latin-hypercube sweep of three prices, solved cold), in this process (`workers` None: the
    default that `optimizer sweep` would choose)."""
    from optimizer.batch.config import load_sweep
    from optimizer.batch.execute import run_sweep

    # one-at-a-time adds the base point (1.0) to the values, none of which is 1.0
    values = ", ".join(f"{0.5 + i / max(points - 1, 1):.6f}" for i in range(points - 1))
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        base = scenario_file(folder, step)
        path = folder / "sweep.toml"
        text = SAMPLED.format(base=base.as_posix(), samples=points) if sampled else SWEEP.format(
            base=base.as_posix(), values=values)  # fmt: skip
        path.write_text(text, encoding="utf-8")
        options = {} if workers is None else {"workers": workers}
        clock = time.perf_counter()
        runs = run_sweep(load_sweep(path), folder / "out", progress=False, **options)
        wall = time.perf_counter() - clock
    ratio = runs["wall_s"] / runs["solve_s"]
    return {
        "workers": workers if workers is not None else "default",
        "points": len(runs),
        "failed": int((runs["status"] != "optimal").sum()),
        "wall_s": round(wall, 3),
        "points_per_s": round(len(runs) / wall, 3),
        "median_point_wall_s": round(float(runs["wall_s"].median()), 4),
        "median_point_solve_s": round(float(runs["solve_s"].median()), 4),
        "median_point_over_solve": round(float(ratio.median()), 3),
        "median_point_cpu_s": round(float(runs["cpu_s"].median()), 4) if "cpu_s" in runs else None,
        "load_average": os.getloadavg()[0],
    }


def _child(function: str, args: tuple, source: Path | None) -> dict:
    code = (
        f"import json, sys; sys.path.insert(0, {str(Path(__file__).parent)!r}); "
        f"from run import {function}; print(json.dumps({function}{args!r}))"
    )
    command = [sys.executable, "-c", code]
    # not from ROOT: `python -c` puts the working folder first on the path, and ROOT's package
    # would shadow the checkout given by `source`
    here = Path(__file__).resolve().parent
    done = subprocess.run(command, capture_output=True, text=True, cwd=here, env=_environment(source))
    if done.returncode != 0:
        raise RuntimeError(f"{function}{args} failed:\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def sweeps(
    steps: tuple[int, ...], points: int, source: Path | None, sampled_points: int = 12, repetitions: int = 1
) -> dict:
    """Each step on 1 and 2 workers and the default, interleaved over `repetitions` (the run
    with the median wall time of each is kept); 2-over-1 and default-over-1 throughput from
    the medians. At annual steps also the per-point ratio on cold points of a sampled sweep."""
    results: dict = {}
    for step in steps:
        label = "5y" if step == 5 else "annual"
        runs: dict[str, list[dict]] = {}
        for repetition in range(repetitions):
            for workers in (1, 2, None):
                case = _child("sweep_case", (step, workers, points), source)
                runs.setdefault(str(case["workers"]), []).append(case)
                print(f"  sweep {label}, {points} points, workers {case['workers']}, repetition {repetition + 1}: "
                      f"{case}", flush=True)  # fmt: skip
        for workers, cases in runs.items():
            median = sorted(cases, key=lambda case: case["wall_s"])[len(cases) // 2]
            results[f"{label}_workers_{workers}"] = {**median, "wall_s_all": [case["wall_s"] for case in cases]}
        one, two = results[f"{label}_workers_1"], results[f"{label}_workers_2"]
        if step == 1:  # the per-point ratio on solves of substance: cold points of a sampled sweep
            case = _child("sweep_case", (step, 1, sampled_points, True), source)
            results["annual_sampled_cold_workers_1"] = case
            print(f"  sweep annual, Latin hypercube (cold), {sampled_points} points, 1 worker: {case}", flush=True)
        results[f"{label}_2_over_1"] = round(two["points_per_s"] / one["points_per_s"], 2)
        results[f"{label}_default_over_1"] = round(results[f"{label}_workers_default"]["points_per_s"]
                                                   / one["points_per_s"], 2)  # fmt: skip
    return results


def run_case(step: int, regions: int) -> dict:
    """Phase timings of one case in this process (load, build, hand-off, solve, reference,
    extract, write) and its peak memory."""
    from synthetic import replicate

    from optimizer.runner import solve_scenario, write_run

    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        if regions == 1:
            scenario = scenario_file(folder, step)
        else:
            dataset = replicate(DATASET, folder / "data", regions)
            scenario = scenario_file(folder, step)
            text = scenario.read_text(encoding="utf-8")
            scenario.write_text(re.sub(r'^dataset\s*=\s*"[^"]*"', f'dataset = "{dataset.as_posix()}"', text,
                                       flags=re.MULTILINE), encoding="utf-8")  # fmt: skip
        run = solve_scenario(scenario)
        clock = time.perf_counter()
        write_run(run, folder / "out")
        timings = dict(run.summary["timings"])
        timings["write"] = time.perf_counter() - clock
    phases = ("load", "build", "handoff", "solve", "extract", "write")
    case = {f"{p}_s": round(timings.get(p, 0.0), 4) for p in phases}
    case["reference_s"] = round(timings.get("reference", 0.0), 4)
    case["total_s"] = round(sum(timings.get(p, 0.0) for p in phases), 4)
    case["overhead_over_solve"] = round(
        (timings["build"] + timings["handoff"] + timings["extract"] + timings["write"]) / timings["solve"], 3
    )
    case["status"] = run.status
    case["n_vars"], case["n_cons"], _ = run.solver.size
    case["peak_rss_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)
    return case


def targets(results: dict) -> dict:
    """Each target's measured ratio, its target and whether it is met."""
    runs, sweep = results.get("runs", {}), results.get("sweeps", {})
    measured = {
        "run_5y_over_highs": runs.get("run_5y", {}).get("over_highs_alone"),
        "run_no_report_5y_over_highs": runs.get("run_no_report_5y", {}).get("over_highs_alone"),
        "run_no_report_annual_over_highs": runs.get("run_no_report_annual", {}).get("over_highs_alone"),
        "sweep_point_over_solve_annual": sweep.get("annual_sampled_cold_workers_1", {}).get("median_point_over_solve"),
        "sweep_2_over_1_workers_5y": sweep.get("5y_2_over_1"),
        "sweep_2_over_1_workers_annual": sweep.get("annual_2_over_1"),
    }
    table = {}
    for name, value in measured.items():
        target, at_most = TARGETS[name]
        met = None if value is None else (value <= target if at_most else value >= target)
        table[name] = {"measured": value, "target": f"{'≤' if at_most else '≥'} {target}", "met": met}
        if name in MOONSHOTS:
            table[name]["moonshot"] = f"≤ {MOONSHOTS[name]}"
    return table


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="5-year steps only, one repetition, 20-point sweeps")
    parser.add_argument("--repetitions", type=int, default=3, help="whole-process repetitions (default 3)")
    parser.add_argument("--points", type=int, default=60, help="sweep points (default 60)")
    parser.add_argument("--sweep-repetitions", type=int, default=1, help="interleaved sweep repetitions (default 1)")
    parser.add_argument("--source", type=Path, help="measure this checkout's optimizer package instead")
    parser.add_argument("--compare", type=Path, help="also time this checkout's runs, interleaved (e.g. main)")
    parser.add_argument("--regions", action="store_true", help="also the multi-region phase cases")
    parser.add_argument("--skip", action="append", default=[], choices=("runs", "sweeps", "phases"))
    parser.add_argument("--steps", default="5,1", help="steps in years to measure (default 5,1)")
    parser.add_argument("--merge", action="store_true", help="update the sections of --out instead of replacing it")
    parser.add_argument("--out", type=Path, default=RESULTS / "latest.json")
    args = parser.parse_args(argv)
    steps = (5,) if args.quick else tuple(int(step) for step in args.steps.split(","))
    repetitions = 1 if args.quick else args.repetitions
    points = 20 if args.quick else args.points
    source = args.source.resolve() if args.source else None
    results: dict = {
        "machine": {"python": platform.python_version(), "cpus": os.cpu_count(), "platform": platform.platform()},
        "source": str(source or ROOT),
        "load_average_at_start": os.getloadavg(),
    }
    if "runs" not in args.skip:
        print("whole processes (medians of interleaved repetitions):", flush=True)
        compare = args.compare.resolve() if args.compare else None
        results["runs"] = whole_runs(steps, repetitions, source, report=True, compare=compare)
        if compare is not None:
            results["compare"] = str(compare)
    if "sweeps" not in args.skip:
        print(f"sweeps ({points} points):", flush=True)
        results["sweeps"] = sweeps(steps, points, source, repetitions=args.sweep_repetitions)
        if args.compare:
            print(f"sweeps of {args.compare} ({points} points):", flush=True)
            compare = args.compare.resolve()
            results["sweeps_compare"] = sweeps(steps, points, compare, repetitions=args.sweep_repetitions)
    if "phases" not in args.skip:
        cases = {"default_5y": (5, 1), "default_annual": (1, 1)} if not args.quick else {"default_5y": (5, 1)}
        if args.regions:
            cases.update({f"regions_{n}_5y": (5, n) for n in (4, 8, 16, 31)})
        results["phases"] = {name: _child("run_case", spec, source) for name, spec in cases.items()}
        for name, case in results["phases"].items():
            print(f"  phases {name}: {case}", flush=True)
    results["load_average_at_end"] = os.getloadavg()
    if args.merge and args.out.exists():  # update the last run's results with this one's
        previous = json.loads(args.out.read_text(encoding="utf-8"))
        for key in ("runs", "sweeps", "sweeps_compare", "phases"):
            if key in previous:
                results[key] = {**previous[key], **results.get(key, {})}
        results.setdefault("compare", previous.get("compare"))
        results["merged_into"] = {"earlier_load_average_at_start": previous.get("load_average_at_start")}
    results["targets"] = targets(results)
    if "@compare" in "".join(results.get("runs", {})):
        results["compare_ratios"] = {
            name: case["over_highs_alone"] for name, case in results["runs"].items() if "over_highs_alone" in case
        }
        print("\nratios against HiGHS alone (…@compare: the compared checkout):", results["compare_ratios"])
    print("\ntarget                              measured   target     met")
    for name, row in results["targets"].items():
        extra = f"   (moonshot {row['moonshot']})" if "moonshot" in row else ""
        print(f"{name:<36}{row['measured']!s:>8}   {row['target']:<9}  {row['met']}{extra}")
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"written to {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
