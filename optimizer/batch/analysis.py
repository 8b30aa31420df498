"""What a sweep says: tornado ranges, Morris and Sobol indices (via SALib), and charts.

Outputs analysed: the objective, final-year emissions, carbon price and lever shares (the
columns of runs.parquet). Morris μ*/σ and Sobol first/total-order indices come from SALib's
analysers over the exact design SALib generated; failed points make those indices undefined,
so they are then skipped with a note. Charts are drawn in the report's style
(`optimizer.report.figures`), money in the dataset's currency, shares in per cent.
"""

from __future__ import annotations

import tomllib
from pathlib import Path

import numpy as np
import pandas as pd

from optimizer.batch.config import Sweep
from optimizer.batch.design import salib_problem, sample_matrix
from optimizer.report import style as st

OUTPUTS = (
    "objective",
    "four_categories",
    "share_ccus",
    "share_hydrogen",
    "share_electrification",
    "share_clean_power",
)


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
    from optimizer.report import figures as fg  # matplotlib, only when charts are drawn

    plots = out / "plots"
    plots.mkdir(parents=True, exist_ok=True)
    ok = runs[runs["status"] == "optimal"]
    money = _money(sweep, runs)
    with fg.style():
        if sweep.method == "one-at-a-time" and not ok.empty:
            table = tornado(sweep, ok)
            table.to_csv(out / "tornado.csv", index=False)
            _tornado_chart(table, plots / "tornado.png", sweep.name, money)
        result = indices(sweep, runs)
        if not result.empty:
            result.to_csv(out / f"{sweep.method}.csv", index=False)
            _indices_chart(result, sweep.method, plots / f"{sweep.method}.png", sweep.name, money)
        if not ok.empty:
            _response_charts(sweep, ok, plots, money)


def currency(sweep: Sweep) -> str:
    """The currency of the sweep's dataset (dataset.toml), or 'currency' when it cannot be read."""
    try:
        from optimizer.data.scenario import load_scenario

        info = tomllib.loads((load_scenario(sweep.base).dataset / "dataset.toml").read_text(encoding="utf-8"))
        return str(info.get("currency") or "currency")
    except Exception:  # the charts must not fail on a label
        return "currency"


def money_scale(values: pd.Series | np.ndarray, currency: str) -> tuple[float, str]:
    """(divisor, unit) to show amounts in million `currency` at a readable scale.

    >>> money_scale(np.array([154_958_400.0]), "CNY2025")
    (1000000.0, 'trillion CNY2025')
    >>> money_scale(np.array([-12_000.0, 3_000.0]), "CNY2025")
    (1000.0, 'billion CNY2025')
    """
    largest = float(np.nanmax(np.abs(np.asarray(values, dtype=float)))) if len(values) else 0.0
    for divisor, name in ((1e6, "trillion"), (1e3, "billion")):
        if largest >= divisor:
            return divisor, f"{name} {currency}"
    return 1.0, f"million {currency}"


def _money(sweep: Sweep, runs: pd.DataFrame) -> tuple[float, str]:
    return money_scale(runs["objective"].dropna().to_numpy() if "objective" in runs else np.array([]), currency(sweep))


def output_label(output: str, money: tuple[float, str]) -> str:
    """An output column in words with its unit."""
    if output == "objective":
        return f"Total discounted cost ({money[1]})"
    if output == "four_categories":
        return "Four categories' share of the reduction (%)"
    if output.startswith("share_"):
        return f"{st.lever_label(output.removeprefix('share_'))} share of the reduction (%)"
    return output.replace("_", " ")


def _scaled(output: str, values: pd.Series, money: tuple[float, str]) -> pd.Series:
    """Money in the chosen scale, shares (fractions) in per cent."""
    if output == "objective":
        return values / money[0]
    if output == "four_categories" or output.startswith("share_"):
        return values * 100
    return values


def _tornado_chart(table: pd.DataFrame, path: Path, title: str, money: tuple[float, str]) -> None:
    from optimizer.report import figures as fg

    if table.empty:
        return
    table = table.assign(span=(table["output_high"] - table["output_low"]).abs()).sort_values("span")
    base = table["baseline"].iloc[0]
    lows = (table["output_low"] - base).to_numpy()
    highs = (table["output_high"] - base).to_numpy()
    divisor, unit = money_scale(np.concatenate([lows, highs]), money[1].split(" ", 1)[1])
    label_room = 0.12 * max(len(str(name)) for name in table["parameter"]) + 0.3
    layout = fg.grid(9.0, 0.45 * len(table) + 0.6, left=max(1.2, label_room), xlabel=True, below=1)
    ax = layout.axes[0]
    for y, (low, high, row) in enumerate(zip(lows / divisor, highs / divisor, table.itertuples(), strict=True)):
        ax.barh(y, low, color="#3a78c2", label="at the parameter's low value" if y == 0 else None)
        ax.barh(y, high, color="#e15759", label="at the parameter's high value" if y == 0 else None)
        ax.text(min(low, high), y, f"{row.low_value:g} ", ha="right", va="center", fontsize=8)
        ax.text(max(low, high), y, f" {row.high_value:g}", ha="left", va="center", fontsize=8)
    ax.set_yticks(range(len(table)), table["parameter"])
    ax.grid(axis="y", visible=False)
    ax.grid(axis="x", color="#dddddd")
    ax.axvline(0, color="black", linewidth=0.8)
    ax.margins(x=0.15)
    fg.thousands(ax, "x")
    ax.set_xlabel(f"Change in total discounted cost against the baseline ({unit})")
    ax.set_title(f"{title}: one-at-a-time sensitivity of total cost")
    layout.legend_below(ax, 2)
    path.write_bytes(fg.png(layout.figure))


def _indices_chart(result: pd.DataFrame, method: str, path: Path, title: str, money: tuple[float, str]) -> None:
    """One panel per output: Morris μ* and σ, or Sobol S1 and ST, as horizontal bars per parameter
    (names on the axis, so no label can overlap another)."""
    from optimizer.report import figures as fg

    outputs = list(dict.fromkeys(result["output"]))
    parameters = list(dict.fromkeys(result["parameter"]))
    ncols = min(3, len(outputs))
    nrows = -(-len(outputs) // ncols)
    label_room = 0.075 * max(len(str(name)) for name in parameters) + 0.3
    height = 0.32 * len(parameters) + 0.5
    suptitle = f"{title}: {method} sensitivity indices"
    layout = fg.grid(4.3 * ncols + label_room, height, ncols, nrows, left=label_room, gap=label_room, title_lines=2,
                     suptitle=suptitle, xlabel=True, below=1)  # fmt: skip
    pairs = (("mu_star", "μ* (mean |elementary effect|)", "#4e79a7"), ("sigma", "σ (interactions, non-linearity)",
             "#f28e2b")) if method == "morris" else (("S1", "first order S1", "#4e79a7"), ("ST", "total order ST",
                                                                                          "#f28e2b"))  # fmt: skip
    y = np.arange(len(parameters))
    for ax, output in zip(layout.axes, outputs, strict=False):
        part = result[result["output"] == output].set_index("parameter").reindex(parameters)
        for offset, (column, label, colour) in zip((-0.2, 0.2), pairs, strict=True):
            values = part[column] if method != "morris" else _scaled(output, part[column], money)
            ax.barh(y + offset, values, 0.4, color=colour, label=label)
        ax.set_yticks(y, parameters, fontsize=8)
        ax.invert_yaxis()
        ax.grid(axis="y", visible=False)
        ax.grid(axis="x", color="#dddddd")
        fg.thousands(ax, "x")
        name = output_label(output, money)
        if method == "morris":
            unit = name.rsplit("(", 1)[-1].rstrip(")")
            ax.set_xlabel("percentage points" if unit == "%" else unit, fontsize=8)
        else:
            ax.set_xlabel("share of the output's variance", fontsize=8)
        ax.set_title(name.rsplit(" (", 1)[0], fontsize=9.5)
    for ax in layout.axes[len(outputs) :]:
        ax.set_visible(False)
    layout.legend_below(layout.axes[0], 2)
    path.write_bytes(fg.png(layout.figure))


def _response_charts(sweep: Sweep, ok: pd.DataFrame, plots: Path, money: tuple[float, str]) -> None:
    """Objective and final-year lever shares against each parameter; the legend beside the panels."""
    from optimizer.report import figures as fg

    shares = [c for c in ok.columns if c.startswith("share_") and ok[c].abs().max() > 0]
    labels = {column: st.lever_label(column.removeprefix("share_")) for column in shares}
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
        layout = fg.grid(12.5, 3.8, ncols=2, suptitle=f"{sweep.name}: response to {p.name}", xlabel=True,
                         right=fg.legend_width(list(labels.values())))  # fmt: skip
        left, right = layout.axes
        marker = "o-" if sweep.method == "one-at-a-time" else "o"  # sampled designs: points, not a path
        left.plot(data[p.name], data["objective"] / money[0], marker, color="#4e79a7", markersize=4, linewidth=1)
        left.set_xlabel(f"{p.name} ({p.op})")
        left.set_ylabel(f"Total discounted cost ({money[1]})")
        left.set_title("Cost")
        fg.thousands(left)
        for column in shares:
            lever = column.removeprefix("share_")
            right.plot(data[p.name], data[column] * 100, marker, markersize=4, linewidth=1,
                       color=st.lever_colour(lever), label=labels[column])  # fmt: skip
        right.set_xlabel(f"{p.name} ({p.op})")
        right.set_ylabel("Share of the final-year reduction (%)")
        right.set_title("Lever shares")
        layout.legend_right(right)
        (plots / f"response_{p.name}.png").write_bytes(fg.png(layout.figure))
