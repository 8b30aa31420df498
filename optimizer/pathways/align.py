"""Saved runs side by side: their tables aligned on common years, with differences (`Comparison`).

Each table is long, with a `run` column (the scenario name when every run's is unique, else
the folder name) and `delta_*` columns: the value minus the first run's (the reference), with a
row missing from one run counted as zero. Tables are compared on the milestone years COMMON to
every run; when the runs' years, datasets, scopes, currencies or discount rates differ, a note
says so (in `compare.json`, on the page and in the log), so nothing is silently misaligned.

Cumulative cost (`cumulative_cost.csv`) covers the calendar years common to every run's
horizon: each milestone's annual cost is spread over the calendar years it represents, exactly
(undiscounted: the annual value; discounted: the milestone's present value split by the
discount factors of its years), so runs on different year grids are compared like for like.

A folder argument that is not itself a run folder is searched for run folders (an MGA or MACC
output folder, a folder of runs, or a sweep's `points/*`). No Pyomo is imported here; the page
is drawn by `optimizer.report.compare`, and `optimizer.pathways.compare.compare_runs` does both.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from optimizer.data.scenario import load_scenario
from optimizer.errors import InputError, Issue
from optimizer.results import COLUMNS, RunTables, load_run

#: table → (key columns, value columns compared) of the aligned tables written by `compare_runs`.
ALIGNED: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "emissions": (("year", "unit"), ("emissions",)),
    "abatement": (("region", "year", "lever", "unit"), ("abatement", "share")),
    "production": (("region", "sector", "technology", "commodity", "year", "unit"), ("value",)),
    "capacity": (
        ("region", "sector", "technology", "year", "unit"),
        ("in_service", "new", "cumulative_new", "retired"),
    ),
    "energy": (("region", "sector", "commodity", "year", "unit"), ("value",)),
    "costs": (("region", "year", "component", "unit"), ("value",)),
    "cumulative_cost": (("component", "unit"), ("discounted", "undiscounted")),
    "carbon_price": (("region", "year", "unit"), ("price",)),
}


@dataclass
class Comparison:
    """Aligned tables of several runs; `labels[0]` is the reference."""

    labels: list[str]
    runs: list[RunTables]
    common_years: list[int]
    span: tuple[int, int]
    notes: list[str] = field(default_factory=list)
    tables: dict[str, pd.DataFrame] = field(default_factory=dict)
    key_numbers: pd.DataFrame = field(default_factory=pd.DataFrame)

    @property
    def reference(self) -> str:
        return self.labels[0]

    @property
    def cost_unit(self) -> str:
        """The unit of cumulative costs (e.g. 'million CNY2025'), or '' when no run has costs."""
        units = self.tables.get("cumulative_cost", pd.DataFrame(columns=["unit"]))["unit"].dropna()
        return str(units.iloc[0]) if len(units) else ""

    @property
    def share_years(self) -> list[int]:
        """The common years whose lever shares are drawn side by side (see `share_years`)."""
        return share_years(self.common_years)


def share_years(years: list[int]) -> list[int]:
    """Up to three of `years` to show lever shares in: the last, and those nearest one and two
    thirds of the way to it from the first, rounded to a multiple of five years (the first year
    has no reduction to share).

    >>> share_years(list(range(2025, 2061, 5))), share_years(list(range(2025, 2061)))
    ([2035, 2050, 2060], [2035, 2050, 2060])
    >>> share_years([2025, 2030, 2035])
    [2030, 2035]
    """
    if len(years) < 2:
        return list(years)
    first, later = years[0], years[1:]
    chosen = {later[-1]}
    for fraction in (1 / 3, 2 / 3):
        point = 5 * round((first + fraction * (later[-1] - first)) / 5)
        chosen.add(min(later, key=lambda year, point=point: (abs(year - point), year)))
    return sorted(chosen)


# --------------------------------------------------------------------------- finding runs


def _is_run(folder: Path) -> bool:
    return (folder / "summary.json").is_file() or (folder / "record.json").is_file()


def find_runs(paths: Iterable[str | Path]) -> list[Path]:
    """Run folders in the order given; a folder that is not one contributes the run folders
    below it (hidden folders skipped), runs of an MGA (`"mga"` in summary.json) after the others."""
    found: list[Path] = []
    for path in map(Path, paths):
        if not path.is_dir():
            raise InputError(Issue(str(path), "is not a folder: give run folders (or folders holding them)"))
        if _is_run(path):
            found.append(path)
            continue
        below = [
            p.parent
            for p in sorted(path.rglob("*.json"))
            if p.name in ("summary.json", "record.json")
            and not any(part.startswith(".") for part in p.relative_to(path).parts)
        ]
        if not below:
            raise InputError(Issue(str(path), "holds no run folder (no summary.json below it)"))
        found += sorted(dict.fromkeys(below), key=lambda p: (_is_mga(p), str(p)))
    return list(dict.fromkeys(found))


def _is_mga(folder: Path) -> bool:
    summary = folder / "summary.json"
    return summary.is_file() and "mga" in json.loads(summary.read_text(encoding="utf-8"))


def _load_point(folder: Path) -> RunTables:
    """A sweep point (record.json + one parquet file per table) as a RunTables.

    The record holds no discount rate: a milestone's present value is spread evenly over its
    calendar years, which changes cumulative costs only where horizons differ."""
    record = json.loads((folder / "record.json").read_text(encoding="utf-8"))
    if record.get("status") != "optimal":
        raise InputError(Issue(str(folder), f"the point's status is {record.get('status')!r}: it has no tables"))
    tables = {}
    for name, columns in COLUMNS.items():
        path = folder / f"{name}.parquet"
        tables[name] = pd.read_parquet(path) if path.is_file() else pd.DataFrame(columns=list(columns))
    scope = _sweep_scope(folder)
    emissions = tables["emissions"]
    in_scope = emissions[emissions["scope"].isin(["captured", *scope.split("+")])].groupby("year")["value"].sum()
    summary = {
        "scenario": record.get("run_id", folder.name),
        "status": "optimal",
        "objective": record.get("objective"),
        "scope": scope,
        "emissions": {str(int(y)): float(v) for y, v in in_scope.items()},
        "years": sorted({int(y) for t in tables.values() if "year" in t for y in t["year"]}),
        "sweep_point": record,
    }
    return RunTables(folder=folder, summary=summary, **tables)


def _sweep_scope(folder: Path) -> str:
    """The cap scope of a sweep point: its base scenario's (read from the sweep's manifest)."""
    try:
        manifest = json.loads((folder.parents[1] / "manifest.json").read_text(encoding="utf-8"))
        return load_scenario(manifest["sweep"]["base"]).scope
    except (OSError, KeyError, ValueError, InputError):
        return "direct+indirect"


def with_reference(folders: list[Path], reference: str | Path | None) -> list[Path]:
    """`folders` with the reference run first: `reference` if given (added when it is not among
    them), else the first folder as given."""
    if reference is None:
        return folders
    chosen = Path(reference)
    if not chosen.is_dir() or not _is_run(chosen):
        raise InputError(Issue(str(chosen), "--reference is not a run folder (no summary.json in it)"))
    same = [folder for folder in folders if folder.resolve() == chosen.resolve()]
    return [same[0] if same else chosen, *(folder for folder in folders if folder.resolve() != chosen.resolve())]


def load_runs(
    paths: Iterable[str | Path], reference: str | Path | None = None
) -> tuple[list[str], list[RunTables], list[str]]:
    """(labels, runs, notes) of every run folder found, the reference first (`reference`, else
    the first found); runs without an optimum are skipped."""
    runs: list[RunTables] = []
    notes: list[str] = []
    for folder in with_reference(find_runs(paths), reference):
        try:
            runs.append(load_run(folder) if (folder / "summary.json").is_file() else _load_point(folder))
        except (FileNotFoundError, InputError) as error:
            notes.append(f"{folder} skipped: {error}")
    if len(runs) < 2:
        issues = [Issue("compare", "needs at least two run folders with an optimum")]
        raise InputError(issues + [Issue("compare", note) for note in notes])
    return _labels(runs), runs, notes


def _labels(runs: Sequence[RunTables]) -> list[str]:
    """Scenario names if unique, else folder names if unique, else folder paths."""
    for candidates in (
        [str(run.summary.get("scenario") or "") for run in runs],
        [run.folder.name for run in runs],
        [str(run.folder) for run in runs],
    ):
        if all(candidates) and len(set(candidates)) == len(candidates):
            return candidates
    return [f"{i}:{run.folder}" for i, run in enumerate(runs)]


# --------------------------------------------------------------------------- alignment


def _notes(labels: list[str], runs: list[RunTables], common: list[int]) -> list[str]:
    notes = []
    grids = {label: run.years for label, run in zip(labels, runs, strict=True)}
    if len({tuple(g) for g in grids.values()}) > 1:
        described = "; ".join(f"{label}: {g[0]}–{g[-1]} ({len(g)} years)" for label, g in grids.items())
        notes.append(
            f"the runs have different milestone years ({described}); the tables compare the {len(common)} "
            f"common years only: {', '.join(map(str, common))}. `new` capacity at a milestone is built over the "
            "years since the previous one, so compare `cumulative_new` across grids"
        )
    hashes = {label: _dataset_hashes(run) for label, run in zip(labels, runs, strict=True)}
    if len({json.dumps(h, sort_keys=True) for h in hashes.values()}) > 1:
        listed = "; ".join(f"{label}: {_setting(run, 'dataset')}" for label, run in zip(labels, runs, strict=True))
        notes.append(f"the runs come from different datasets (input files differ; {listed})")
    for what, key in (
        ("scopes", "scope"),
        ("currencies", "currency"),
        ("discount rates", "discount_rate"),
    ):
        values = {label: _setting(run, key) for label, run in zip(labels, runs, strict=True)}
        if len({json.dumps(v) for v in values.values()}) > 1:
            listed = "; ".join(f"{label}: {value}" for label, value in values.items())
            notes.append(f"the runs have different {what} ({listed})")
    return notes


def _dataset_hashes(run: RunTables) -> dict[str, str]:
    """SHA-256 of each dataset file (the scenario file left out), else the dataset's path."""
    hashes = run.summary.get("inputs_sha256") or {}
    chosen = {name: digest for name, digest in hashes.items() if not name.startswith("scenario:")}
    return chosen or {"path": str(_setting(run, "dataset"))}


def _setting(run: RunTables, key: str) -> object:
    if key == "dataset":
        return (run.summary.get("resolved_scenario") or {}).get("dataset")
    return run.summary.get(key)


def _align(
    frames: list[pd.DataFrame], labels: list[str], keys: tuple[str, ...], values: tuple[str, ...]
) -> pd.DataFrame:
    """Long table over the union of keys; missing rows are zeros; delta_* against run 0."""
    parts = [frame.groupby(list(keys), dropna=False)[list(values)].sum(min_count=1) for frame in frames]
    index = parts[0].index
    for part in parts[1:]:
        index = index.union(part.index)
    aligned = [part.reindex(index, fill_value=0.0) for part in parts]  # blanks (a share of 0/0) stay blank
    out = []
    for label, part in zip(labels, aligned, strict=True):
        frame = part.copy()
        for value in values:
            both_blank = part[value].isna() & aligned[0][value].isna()
            frame[f"delta_{value}"] = (part[value] - aligned[0][value]).mask(both_blank, 0.0)
        frame.insert(0, "run", label)
        out.append(frame.reset_index())
    result = pd.concat(out, ignore_index=True)
    ordered = ["run", *[k for k in keys if k != "unit"], *values, "unit", *[f"delta_{v}" for v in values]]
    return result[[c for c in ordered if c in result.columns]]


def _cumulative_new(capacity: pd.DataFrame, years: list[int]) -> pd.DataFrame:
    """capacity.csv with `cumulative_new`: capacity built up to each year (every year filled)."""
    keys = ["region", "sector", "technology", "unit"]
    if capacity.empty:
        return capacity.assign(cumulative_new=pd.Series(dtype="float64"))
    capacity = capacity.astype(dict.fromkeys(("in_service", "new", "retired"), "float64"))
    grid = capacity.pivot_table(index=keys, columns="year", values="new", aggfunc="sum", fill_value=0.0)
    built = grid.reindex(columns=years, fill_value=0.0).cumsum(axis=1)
    long = built.stack().rename("cumulative_new").reset_index()
    merged = long.merge(capacity, on=[*keys, "year"], how="left")
    return merged.fillna({"in_service": 0.0, "new": 0.0, "retired": 0.0})


def _calendar_costs(run: RunTables) -> pd.DataFrame:
    """costs.csv spread over calendar years: component, year (calendar), undiscounted, discounted."""
    costs = run.costs
    weights = run.years_represented()
    rate = float(run.summary.get("discount_rate") or 0.0)
    rows = []
    for row in costs.itertuples(index=False):
        span = int(weights.get(int(row.year), 1))
        factors = [(1 + rate) ** -j for j in range(span)]
        for j, factor in enumerate(factors):
            rows.append((row.component, row.unit, row.year + j, row.value, row.discounted * factor / sum(factors)))
    return pd.DataFrame(rows, columns=["component", "unit", "year", "undiscounted", "discounted"])


def _cumulative_cost(run: RunTables, span: tuple[int, int]) -> pd.DataFrame:
    spread = _calendar_costs(run)
    spread = spread[(spread["year"] >= span[0]) & (spread["year"] <= span[1])]
    by_component = spread.groupby(["component", "unit"], as_index=False)[["discounted", "undiscounted"]].sum()
    total = by_component.groupby("unit", as_index=False)[["discounted", "undiscounted"]].sum().assign(component="total")
    return pd.concat([by_component, total], ignore_index=True)


def _emissions(run: RunTables) -> pd.DataFrame:
    recorded = run.summary.get("emissions") or {}
    return pd.DataFrame(
        [(int(y), float(v), "MtCO2/yr") for y, v in recorded.items()], columns=["year", "emissions", "unit"]
    )


def compare_tables(labels: list[str], runs: list[RunTables], notes: Sequence[str] = ()) -> Comparison:
    """Align the runs' tables on their common years (and common calendar span for cumulative cost)."""
    common = sorted(set.intersection(*(set(run.years) for run in runs)))
    if not common:
        grids = "; ".join(f"{label}: {run.years[:1]}…{run.years[-1:]}" for label, run in zip(labels, runs, strict=True))
        raise InputError(Issue("compare", f"the runs share no milestone year ({grids})"))
    span = (
        max(run.years[0] for run in runs),
        min(run.years[-1] + int(run.years_represented().iloc[-1]) - 1 for run in runs),
    )
    comparison = Comparison(labels, runs, common, span, [*notes, *_notes(labels, runs, common)])
    horizons = {(run.years[0], run.years[-1]) for run in runs}
    if len(horizons) > 1:
        comparison.notes.append(
            f"the runs' horizons differ; cumulative costs cover the common span {span[0]}–{span[1]}"
        )

    def frames(name: str) -> list[pd.DataFrame]:
        chosen = []
        for run in runs:
            if name == "emissions":
                frame = _emissions(run)
            elif name == "capacity":
                frame = _cumulative_new(run.capacity, run.years)
            elif name == "cumulative_cost":
                frame = _cumulative_cost(run, span)
            else:
                frame = run[name]
            chosen.append(frame[frame["year"].isin(common)] if "year" in frame else frame)
        return chosen

    for name, (keys, values) in ALIGNED.items():
        comparison.tables[name] = _align(frames(name), labels, keys, values)
    comparison.key_numbers = _key_numbers(comparison)
    return comparison


def _key_numbers(comparison: Comparison) -> pd.DataFrame:
    """One row per run: emissions, reduction, cumulative cost and its delta, price, lever shares."""
    first, last = comparison.common_years[0], comparison.common_years[-1]
    tables = comparison.tables
    rows = []
    for label, run in zip(comparison.labels, comparison.runs, strict=True):
        emissions = tables["emissions"].query("run == @label").set_index("year")["emissions"]
        cost = tables["cumulative_cost"].query("run == @label and component == 'total'")
        prices = tables["carbon_price"].query("run == @label and year == @last")["price"]
        abatement = tables["abatement"].query("run == @label and year == @last").groupby("lever")["abatement"].sum()
        reduction = abatement.sum()
        e0, e1 = emissions.get(first, float("nan")), emissions.get(last, float("nan"))
        row = {
            "run": label,
            "scenario": run.summary.get("scenario"),
            "folder": str(run.folder),
            "objective": run.summary.get("objective"),
            f"emissions_{first}": e0,
            f"emissions_{last}": e1,
            "reduction_pct": 100 * (e0 - e1) / e0 if e0 else float("nan"),
            "cumulative_cost_discounted": float(cost["discounted"].sum()),
            "delta_cost_discounted": float(cost["delta_discounted"].sum()),
            "cumulative_cost_undiscounted": float(cost["undiscounted"].sum()),
            f"carbon_price_{last}": float(prices.max()) if len(prices) else float("nan"),
        }
        for lever, value in abatement.items():
            row[f"share_{lever}"] = float(value / reduction) if reduction else float("nan")
        rows.append(row)
    return pd.DataFrame(rows)


# --------------------------------------------------------------------------- writing


def _document(comparison: Comparison) -> dict:
    """compare.json: the runs, the common years and span, the notes and the key numbers."""
    return {
        "reference": comparison.reference,
        "runs": [
            {"run": label, "folder": str(run.folder), "scenario": run.summary.get("scenario"), "years": run.years}
            for label, run in zip(comparison.labels, comparison.runs, strict=True)
        ],
        "common_years": comparison.common_years,
        "cumulative_span": list(comparison.span),
        "notes": comparison.notes,
        "key_numbers": json.loads(comparison.key_numbers.to_json(orient="records")),
        "tables": {name: f"{name}.csv" for name in comparison.tables},
    }


def write_tables(comparison: Comparison, out_dir: str | Path) -> Path:
    """Write the aligned tables, key_numbers.csv and compare.json into `out_dir` (created)."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    for name, table in {**comparison.tables, "key_numbers": comparison.key_numbers}.items():
        table.to_csv(out / f"{name}.csv", index=False, float_format="%.10g", lineterminator="\n")
    (out / "compare.json").write_text(json.dumps(_document(comparison), indent=2) + "\n", encoding="utf-8")
    return out
