"""What a sweep says: tornado ranges, Morris and Sobol indices (via SALib), and charts.

Outputs analysed: the objective, final-year emissions, carbon price and lever shares (the
columns of runs.parquet). Morris μ*/σ and Sobol first/total-order indices come from SALib's
analysers over the exact design SALib generated; failed points make those indices undefined,
so they are then skipped with a note.
"""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from optimizer.batch.config import Sweep
from optimizer.batch.design import salib_problem, sample_matrix
from optimizer.report.style import LEVERS

OUTPUTS = ("objective", "four_categories", "share_ccus", "share_hydrogen", "share_electrification")


def tornado(sweep: Sweep, runs: pd.DataFrame, output: str = "objective") -> pd.DataFrame:
    """Low and high value of `output` as each parameter moves alone (one-at-a-time)."""
    names = [p.name for p in sweep.parameters]
    baseline_mask = np.ones(len(runs), dtype=bool)
    for p in sweep.parameters:
        column = runs[p.name]
        baseline_mask &= column.isna() if p.baseline is None else (column == p.baseline)
    base_value = float(runs.loc[baseline_mask, output].iloc[0]) if baseline_mask.any() else np.nan
    rows = []
    for name in names:
        others = [n for n in names if n != name]
        alone = runs[runs[name].notna() & ~baseline_mask]
        for other in others:
            spec = next(p for p in sweep.parameters if p.name == other)
            alone = alone[alone[other].isna()] if spec.baseline is None else alone[alone[other] == spec.baseline]
        if alone.empty:
            continue
        low = alone.loc[alone[name].idxmin()]
        high = alone.loc[alone[name].idxmax()]
        rows.append(
            {
                "parameter": name,
                "low_value": low[name],
                "high_value": high[name],
                "output_low": low[output],
                "output_high": high[output],
                "baseline": base_value,
            }
        )
    return pd.DataFrame(rows)


def indices(sweep: Sweep, runs: pd.DataFrame) -> pd.DataFrame:
    """Morris or Sobol indices for each output (empty for other methods or failed points)."""
    if sweep.method not in ("morris", "sobol") or (runs["status"] != "optimal").any():
        return pd.DataFrame()
    problem = salib_problem(sweep.parameters)
    design = sample_matrix(sweep)
    ordered = runs.sort_values("run_id")
    rows = []
    for output in OUTPUTS:
        if output not in ordered:
            continue
        values = ordered[output].to_numpy(dtype=float)
        if sweep.method == "morris":
            from SALib.analyze import morris

            result = morris.analyze(problem, design, values, num_levels=4, seed=sweep.seed)
            for i, name in enumerate(problem["names"]):
                rows.append(
                    {
                        "output": output,
                        "parameter": name,
                        "mu_star": result["mu_star"][i],
                        "sigma": result["sigma"][i],
                        "mu": result["mu"][i],
                    }
                )
        else:
            from SALib.analyze import sobol

            result = sobol.analyze(problem, values, calc_second_order=False, seed=sweep.seed)
            for i, name in enumerate(problem["names"]):
                rows.append({"output": output, "parameter": name, "S1": result["S1"][i], "ST": result["ST"][i]})
    return pd.DataFrame(rows)


def write_analysis(sweep: Sweep, runs: pd.DataFrame, out: Path) -> None:
    """Write sensitivity tables and charts into the sweep folder."""
    plots = out / "plots"
    plots.mkdir(exist_ok=True)
    ok = runs[runs["status"] == "optimal"]
    if sweep.method == "one-at-a-time" and not ok.empty:
        table = tornado(sweep, ok)
        table.to_csv(out / "tornado.csv", index=False)
        _tornado_chart(table, plots / "tornado.png", sweep.name)
    result = indices(sweep, runs)
    if not result.empty:
        result.to_csv(out / f"{sweep.method}.csv", index=False)
        _indices_chart(result, sweep.method, plots / f"{sweep.method}.png", sweep.name)
    if not ok.empty:
        _response_charts(sweep, ok, plots)


def _tornado_chart(table: pd.DataFrame, path: Path, title: str) -> None:
    if table.empty:
        return
    table = table.assign(span=(table["output_high"] - table["output_low"]).abs()).sort_values("span")
    fig, ax = plt.subplots(figsize=(8, 1 + 0.5 * len(table)))
    base = table["baseline"].iloc[0] / 1e6
    for y, row in enumerate(table.itertuples()):
        low, high = row.output_low / 1e6 - base, row.output_high / 1e6 - base
        ax.barh(y, low, color="#3a78c2", label="low value" if y == 0 else None)
        ax.barh(y, high, color="#e15759", label="high value" if y == 0 else None)
        ax.text(min(low, high), y, f"{row.low_value:g} ", ha="right", va="center", fontsize=8)
        ax.text(max(low, high), y, f" {row.high_value:g}", ha="left", va="center", fontsize=8)
    ax.set_yticks(range(len(table)), table["parameter"])
    ax.axvline(0, color="black", linewidth=0.8)
    ax.set_xlabel("Change in total discounted cost vs baseline (trillion currency)")
    ax.set_title(f"{title}: one-at-a-time sensitivity of total cost")
    ax.legend(loc="lower right", fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def _indices_chart(result: pd.DataFrame, method: str, path: Path, title: str) -> None:
    outputs = list(dict.fromkeys(result["output"]))
    fig, axes = plt.subplots(1, len(outputs), figsize=(4 * len(outputs), 4), squeeze=False)
    for ax, output in zip(axes[0], outputs, strict=True):
        part = result[result["output"] == output]
        if method == "morris":
            ax.scatter(part["mu_star"], part["sigma"], color="#4e79a7")
            for row in part.itertuples():
                ax.annotate(row.parameter, (row.mu_star, row.sigma), fontsize=7)
            ax.set_xlabel("μ* (mean absolute elementary effect)")
            ax.set_ylabel("σ (interaction / non-linearity)")
        else:
            x = np.arange(len(part))
            ax.bar(x - 0.2, part["S1"], 0.4, label="first order S1", color="#4e79a7")
            ax.bar(x + 0.2, part["ST"], 0.4, label="total order ST", color="#f28e2b")
            ax.set_xticks(x, part["parameter"], rotation=45, ha="right", fontsize=7)
            ax.set_ylabel("Sobol index (share of variance)")
            ax.legend(fontsize=7)
        ax.set_title(output, fontsize=9)
    fig.suptitle(f"{title}: {method} sensitivity indices")
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def _response_charts(sweep: Sweep, ok: pd.DataFrame, plots: Path) -> None:
    """Objective and 2060 lever shares against each parameter."""
    shares = [c for c in ok.columns if c.startswith("share_")]
    for p in sweep.parameters:
        data = ok[ok[p.name].notna()]
        if sweep.method == "one-at-a-time":  # only the points where p moves alone
            for other in sweep.parameters:
                if other.name != p.name:
                    column = data[other.name]
                    data = data[column.isna() if other.baseline is None else column == other.baseline]
        data = data.sort_values(p.name)
        if data[p.name].nunique() < 2:
            continue
        fig, (left, right) = plt.subplots(1, 2, figsize=(11, 4))
        left.scatter(data[p.name], data["objective"] / 1e6, color="#4e79a7", s=14)
        left.set_xlabel(f"{p.name} ({p.op})")
        left.set_ylabel("Total discounted cost (trillion currency)")
        left.set_title("Cost response")
        for column in shares:
            lever = column.removeprefix("share_")
            label, colour = LEVERS.get(lever, (lever, "#999999"))
            right.scatter(data[p.name], data[column] * 100, s=12, color=colour, label=label)
        right.set_xlabel(f"{p.name} ({p.op})")
        right.set_ylabel("Share of the final-year reduction (%)")
        right.set_title("Lever shares")
        right.legend(fontsize=7, ncol=2)
        fig.suptitle(f"{sweep.name}: response to {p.name}")
        fig.tight_layout()
        fig.savefig(plots / f"response_{p.name}.png", dpi=110)
        plt.close(fig)
