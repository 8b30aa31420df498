"""Benchmark harness: time every phase of a run in-process, one case per subprocess.

    python benchmarks/run.py            # all cases
    python benchmarks/run.py --quick    # a subset, under two minutes
    python benchmarks/run.py --sweep-only   # only the sweep throughput cases (~8 minutes)

Phases: load (CSV → ModelData), build (Pyomo), handoff (standard-form compile + passModel),
solve (HiGHS's own run time), extract (tables incl. attribution), write (files). Each case
runs in a fresh Python process so `peak_rss_mb` is that case's own peak. Results are printed
and written to benchmarks/results/latest.json. Ratios (overhead / HiGHS solve) are what to
compare between machines; absolute seconds on a shared 2-core machine are noisy.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DATASET = ROOT / "inputs" / "china-industry"
RESULTS = Path(__file__).resolve().parent / "results"
sys.path.insert(0, str(Path(__file__).resolve().parent))


def _scenario(folder: Path, dataset: Path, step: int, name: str) -> Path:
    path = folder / f"{name}.toml"
    path.write_text(
        f'name = "{name}"\ndataset = "{dataset.as_posix()}"\n'
        f"years = {{ start = 2025, end = 2060, step = {step} }}\ndiscount_rate = 0.06\n"
        '[emissions]\nscope = "direct+indirect"\ncap = { 2060 = 450 }\n',
        encoding="utf-8",
    )
    return path


def run_case(step: int, regions: int) -> dict:
    """Run one case in this process and return its phase timings (called in a child)."""
    from synthetic import replicate

    from optimizer.runner import solve_scenario, write_run

    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        dataset = DATASET if regions == 1 else replicate(DATASET, folder / "data", regions)
        scenario = _scenario(folder, dataset, step, "bench")
        run = solve_scenario(scenario)
        clock = time.perf_counter()
        write_run(run, folder / "out")
        timings = dict(run.summary["timings"])
        timings["write"] = time.perf_counter() - clock
    phases = ("load", "build", "handoff", "solve", "extract", "write")
    case = {f"{p}_s": round(timings[p], 4) for p in phases}
    case["total_s"] = round(sum(timings[p] for p in phases), 4)
    case["overhead_over_solve"] = round(
        (timings["build"] + timings["handoff"] + timings["extract"] + timings["write"]) / timings["solve"], 3
    )
    case["status"] = run.status
    case["n_vars"], case["n_cons"], _ = run.solver.size
    case["peak_rss_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)
    return case


def _child(step: int, regions: int) -> dict:
    code = (
        f"import json, sys; sys.path.insert(0, {str(Path(__file__).parent)!r}); "
        f"from run import run_case; print(json.dumps(run_case({step}, {regions})))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT)
    return json.loads(done.stdout.strip().splitlines()[-1])


SWEEP = """name = "bench-sweep"
base = "{base}"
method = "latin-hypercube"
samples = {samples}
seed = 11

[[parameter]]
name = "electrolyser_capex"
table = "tech_costs"
where = {{ technology = ["h2_electrolysis_grid", "h2_electrolysis_vre"] }}
column = "capex"
op = "scale"
range = [0.5, 1.5]

[[parameter]]
name = "storage_price"
table = "commodity_prices"
where = {{ commodity = "co2_storage" }}
column = "price"
op = "scale"
range = [0.5, 2.0]

[[parameter]]
name = "coal_price"
table = "commodity_prices"
where = {{ commodity = "coal" }}
column = "price"
op = "scale"
range = [0.7, 1.5]
"""


def sweep_case(step: int, workers: int, samples: int = 20) -> dict:
    """A Latin-hypercube cost sweep (cold re-solves) of `samples` points on `workers` processes."""
    from optimizer.batch.config import load_sweep
    from optimizer.batch.execute import run_sweep

    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        base = _scenario(folder, DATASET, step, "bench")
        path = folder / "sweep.toml"
        path.write_text(SWEEP.format(base=base.as_posix(), samples=samples), encoding="utf-8")
        clock = time.perf_counter()
        runs = run_sweep(load_sweep(path), folder / "out", workers=workers, progress=False)
        wall = time.perf_counter() - clock
    ratio = (runs["wall_s"] / runs["solve_s"]).median()
    return {
        "workers": workers,
        "points": len(runs),
        "failed": int((runs["status"] != "optimal").sum()),
        "wall_s": round(wall, 2),
        "points_per_s": round(len(runs) / wall, 3),
        "median_point_wall_s": round(runs["wall_s"].median(), 3),
        "median_point_solve_s": round(runs["solve_s"].median(), 3),
        "median_wall_over_solve": round(float(ratio), 2),
    }


def _sweep_child(step: int, workers: int, samples: int) -> dict:
    code = (
        f"import json, sys; sys.path.insert(0, {str(Path(__file__).parent)!r}); "
        f"from run import sweep_case; print(json.dumps(sweep_case({step}, {workers}, {samples})))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT)
    return json.loads(done.stdout.strip().splitlines()[-1])


def sweeps(step: int, sizes: tuple[int, ...]) -> dict:
    """Each sweep size on 1 and 2 workers; throughput ratios end to end and at the margin.

    End to end includes the fixed start (reading, the design, building the base model once),
    which a 20-point sweep does not amortise. The marginal ratio compares the extra points of
    the largest size over the smallest per extra second, which is what a long sweep sees.
    """
    results: dict = {"step": step}
    for samples in sizes:
        for workers in (1, 2):
            case = _sweep_child(step, workers, samples)
            results[f"points_{samples}_workers_{workers}"] = case
            print(f"sweep step {step}, {samples} points, {workers} worker(s): {case}", flush=True)
        one, two = (results[f"points_{samples}_workers_{w}"] for w in (1, 2))
        results[f"throughput_2_over_1_at_{samples}"] = round(two["points_per_s"] / one["points_per_s"], 2)
    if len(sizes) > 1:
        small, large = min(sizes), max(sizes)
        extra = {w: results[f"points_{large}_workers_{w}"]["wall_s"] - results[f"points_{small}_workers_{w}"]["wall_s"]
                 for w in (1, 2)}  # fmt: skip
        results["marginal_throughput_2_over_1"] = round(extra[1] / extra[2], 2)
    for key, value in results.items():
        if key.startswith(("throughput", "marginal")):
            print(f"sweep {key}: {value}")
    return results


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="default 5-year, annual and 1/4 regions only")
    parser.add_argument("--sweep-only", action="store_true", help="only the annual sweeps on 1 and 2 workers")
    parser.add_argument("--out", type=Path, default=RESULTS / "latest.json")
    args = parser.parse_args(argv)
    cases = {"default_5y": (5, 1), "default_annual": (1, 1)}
    for regions in (1, 4) if args.quick else (1, 4, 8, 16, 31):
        cases[f"regions_{regions}_5y"] = (5, regions)
    if args.sweep_only:
        cases = {}
    results: dict = {
        "cases": {},
        "machine": {
            "python": platform.python_version(),
            "cpus": os.cpu_count(),
            "platform": platform.platform(),
        },
    }
    print(
        f"{'case':<18}{'vars':>9}{'load':>8}{'build':>8}{'handoff':>9}{'solve':>8}{'extract':>9}"
        f"{'write':>7}{'total':>8}{'ovh/solve':>10}{'MB':>8}"
    )
    for name, (step, regions) in cases.items():
        case = _child(step, regions)
        results["cases"][name] = case
        print(
            f"{name:<18}{case['n_vars']:>9}{case['load_s']:>8.2f}{case['build_s']:>8.2f}{case['handoff_s']:>9.2f}"
            f"{case['solve_s']:>8.2f}{case['extract_s']:>9.2f}{case['write_s']:>7.2f}{case['total_s']:>8.2f}"
            f"{case['overhead_over_solve']:>10.2f}{case['peak_rss_mb']:>8.0f}",
            flush=True,
        )
    results["sweep"] = sweeps(5, (20,)) if args.quick else sweeps(1, (20, 60))
    if "regions_31_5y" in results["cases"]:
        one, many = results["cases"]["regions_1_5y"], results["cases"]["regions_31_5y"]
        results["scaling_31_over_1"] = round(many["total_s"] / one["total_s"], 2)
    if args.sweep_only and args.out.exists():  # keep the cases recorded by the last full run
        results = {**json.loads(args.out.read_text(encoding="utf-8")), "sweep": results["sweep"]}
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    print(f"written to {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
