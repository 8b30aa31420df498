"""A marginal abatement cost curve from a ladder of final-year caps.

`run_macc(scenario, caps)` solves the scenario once per cap, its `cap` replaced by
`{final year: cap}` (2060 in the shipped scenarios; the cap's scope, any budget, exogenous
carbon price and the dataset's regional limits stay as they are), and writes

- `cap-<cap>/`: an ordinary run folder per cap (scenario name `<name>-cap<cap>`; a `+` in the
  cap's label is dropped from the folder's name);
- `macc.csv`: `cap, year, status, objective, carbon_price` (the final year's, as in
  carbon_price.csv: the cap's shadow price plus any exogenous price), `emissions_<year>`,
  `abatement` (first-year minus final-year emissions) and one column per lever with its
  final-year abatement (abatement.csv);
- `macc.png`: the carbon price against the final-year abatement, and the levers' wedges per cap
  (drawn by `optimizer.report.macc`).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable
from pathlib import Path

import pandas as pd

from optimizer.data.scenario import Scenario, load_scenario
from optimizer.data.schema import ALL_REGIONS
from optimizer.errors import InputError, Issue
from optimizer.outputs.attribution import LEVER_ORDER
from optimizer.outputs.folders import check_replaceable, child, staged
from optimizer.report.macc import cap_label, macc_chart
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
    force: bool = False,
) -> MaccResult:
    """Solve the scenario for each final-year cap; write the runs, macc.csv and macc.png if `out_dir`
    (checked before solving: see `write_macc`)."""
    if not isinstance(scenario, Scenario):
        scenario = load_scenario(scenario)
    caps = list(caps)
    ladder = sorted({float(cap) for cap in caps}, reverse=True)
    if not ladder or any(cap < 0 for cap in ladder):
        raise InputError(Issue("macc", f"caps must be one or more numbers ≥ 0, got {caps}"))
    folders = [cap_folder(cap) for cap in ladder]
    if len(set(folders)) < len(folders):
        raise InputError(
            Issue(
                "macc",
                f"caps {ladder} give the same folder name twice ({folders}): make them differ more",
                column="--caps",
            )
        )
    if out_dir is not None:
        check_replaceable(out_dir, "macc", force)
    runs: dict[float, RunResult] = {}
    for cap in ladder:
        capped = dataclasses.replace(scenario, name=f"{scenario.name}-cap{cap_label(cap)}", cap={scenario.end: cap})
        runs[cap] = solve_scenario(capped, time_limit=time_limit, with_reference=False)
    table = pd.DataFrame([_row(cap, run) for cap, run in runs.items()])
    outcome = MaccResult(table, runs)
    if out_dir is not None:
        write_macc(outcome, out_dir, force=force)
    return outcome


def cap_folder(cap: float) -> str:
    """`cap-450`: a cap's sub-folder (a single safe name: `cap-1e06` for 1e+06)."""
    return f"cap-{cap_label(cap)}".replace("+", "")


def write_macc(outcome: MaccResult, out_dir: str | Path, force: bool = False) -> Path:
    """Write cap-<cap>/ run folders, macc.csv and macc.png to `out_dir`, built beside it and
    swapped into place when complete. An existing `out_dir` is replaced only if it is a MACC
    folder this tool wrote holding nothing else (or empty), unless `force`."""
    out = Path(out_dir)
    with staged(out, "macc", force) as folder:
        for cap, run in outcome.runs.items():
            write_run(run, child(folder, cap_folder(cap), "macc"))
        outcome.table.to_csv(folder / "macc.csv", index=False, float_format="%.10g", lineterminator="\n")
        units = [run.tables["carbon_price"]["unit"].iloc[0] for run in outcome.runs.values() if run.tables]
        (folder / "macc.png").write_bytes(macc_chart(outcome.table, units[0] if units else "currency/tCO2"))
    outcome.folder = out
    return out
