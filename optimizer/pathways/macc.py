"""A marginal abatement cost curve from a ladder of final-year caps.

`run_macc(scenario, caps)` solves the scenario once per cap, its `cap` replaced by
`{final year: cap}` (2060 in the shipped scenarios; the cap's scope, any budget, exogenous
carbon price and the dataset's regional limits stay as they are), and writes

- `cap-<cap>/`: an ordinary run folder per cap (scenario name `<name>-cap<cap>`);
- `macc.csv`: `cap, year, status, objective, carbon_price` (the final year's, as in
  carbon_price.csv: the cap's shadow price plus any exogenous price), `emissions_<year>`,
  `abatement` (first-year minus final-year emissions) and one column per lever with its
  final-year abatement (abatement.csv);
- `macc.png`: the carbon price against the final-year abatement, and the levers' wedges per cap.
"""

from __future__ import annotations

import dataclasses
import io
from collections.abc import Iterable
from pathlib import Path

import numpy as np
import pandas as pd

from optimizer.data.scenario import Scenario, load_scenario
from optimizer.data.schema import ALL_REGIONS
from optimizer.errors import InputError, Issue
from optimizer.outputs.attribution import LEVER_ORDER
from optimizer.runner import RunResult, solve_scenario, write_run

DEFAULT_CAPS = (450.0, 900.0, 1800.0)


@dataclasses.dataclass
class MaccResult:
    """The table (one row per cap, loosest first) and the runs behind it."""

    table: pd.DataFrame
    runs: dict[float, RunResult]
    folder: Path | None = None

    @property
    def all_optimal(self) -> bool:
        return all(run.result.optimal for run in self.runs.values())


def _label(cap: float) -> str:
    return f"{cap:g}"


def _row(cap: float, run: RunResult) -> dict:
    year = run.data.years[-1]
    row: dict = {"cap": cap, "year": year, "status": run.status, "objective": run.result.objective}
    if not run.result.optimal:
        return row
    prices = run.tables["carbon_price"]
    chosen = prices[(prices["region"] == ALL_REGIONS) & (prices["year"] == year)]["price"]
    abatement = run.tables["abatement"]
    levers = abatement[abatement["year"] == year].groupby("lever")["abatement"].sum()
    row.update(
        {
            "carbon_price": float(chosen.sum()) if len(chosen) else 0.0,
            f"emissions_{year}": float(run.summary["emissions"][str(year)]),
            "abatement": float(levers.sum()),
            **{lever: float(levers.get(lever, 0.0)) for lever in LEVER_ORDER},
        }
    )
    return row


def run_macc(
    scenario: Scenario | Path | str,
    caps: Iterable[float] = DEFAULT_CAPS,
    out_dir: str | Path | None = None,
    time_limit: float | None = None,
) -> MaccResult:
    """Solve the scenario for each final-year cap; write the runs, macc.csv and macc.png if `out_dir`."""
    if not isinstance(scenario, Scenario):
        scenario = load_scenario(scenario)
    ladder = sorted({float(cap) for cap in caps}, reverse=True)
    if not ladder or any(cap < 0 for cap in ladder):
        raise InputError(Issue("macc", f"caps must be one or more numbers ≥ 0, got {list(caps)}"))
    runs: dict[float, RunResult] = {}
    for cap in ladder:
        capped = dataclasses.replace(scenario, name=f"{scenario.name}-cap{_label(cap)}", cap={scenario.end: cap})
        runs[cap] = solve_scenario(capped, time_limit=time_limit)
    table = pd.DataFrame([_row(cap, run) for cap, run in runs.items()])
    outcome = MaccResult(table, runs)
    if out_dir is not None:
        write_macc(outcome, out_dir)
    return outcome


def write_macc(outcome: MaccResult, out_dir: str | Path) -> Path:
    """Write cap-<cap>/ run folders, macc.csv and macc.png into `out_dir`."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    for cap, run in outcome.runs.items():
        write_run(run, out / f"cap-{_label(cap)}")
    outcome.table.to_csv(out / "macc.csv", index=False, float_format="%.10g", lineterminator="\n")
    units = [run.tables["carbon_price"]["unit"].iloc[0] for run in outcome.runs.values() if run.tables]
    (out / "macc.png").write_bytes(macc_chart(outcome.table, units[0] if units else "currency/tCO2"))
    outcome.folder = out
    return out


def macc_chart(table: pd.DataFrame, price_unit: str = "currency/tCO2") -> bytes:
    """PNG: carbon price against final-year abatement (caps labelled), and lever wedges per cap."""
    from matplotlib.figure import Figure

    from optimizer.report import style as st

    solved = table[table["status"] == "optimal"].sort_values("cap", ascending=False)
    figure = Figure(figsize=(12.5, 5.0), dpi=110, layout="constrained")
    curve, wedges = figure.subplots(1, 2)
    year = int(table["year"].iloc[0]) if len(table) else 0
    if len(solved):
        curve.step(solved["abatement"], solved["carbon_price"], where="pre", color="#444444", linewidth=1.2)
        curve.plot(solved["abatement"], solved["carbon_price"], "o", color="#d62728")
        for row in solved.itertuples():
            curve.annotate(f"cap {_label(row.cap)}", (row.abatement, row.carbon_price), textcoords="offset points",
                           xytext=(6, -12), fontsize=9)  # fmt: skip
        labels = [_label(cap) for cap in solved["cap"]]
        x = np.arange(len(labels))
        up, down = np.zeros(len(labels)), np.zeros(len(labels))
        for lever in st.ordered([lever for lever in LEVER_ORDER if lever in solved], st.LEVERS):
            values = solved[lever].to_numpy(dtype=float)
            wedges.bar(x, values, bottom=np.where(values >= 0, up, down), color=st.lever_colour(lever),
                       label=st.lever_label(lever), width=0.65)  # fmt: skip
            up, down = up + np.clip(values, 0, None), down + np.clip(values, None, 0)
        wedges.set_xticks(x, labels)
        wedges.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), frameon=False, fontsize=9)
    st.decorate(curve, f"Carbon price against abatement, {year}", st.axis_label("Carbon price", price_unit))
    curve.set_xlabel(f"Abatement in {year} against the first year (MtCO2/yr)")
    st.decorate(wedges, f"Abatement by lever in {year}, per cap", "MtCO2/yr")
    wedges.set_xlabel(f"Cap on {year} emissions (MtCO2/yr)")
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", facecolor="white", metadata={"Software": None})
    return buffer.getvalue()
