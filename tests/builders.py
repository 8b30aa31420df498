"""Build tiny datasets in code: a few lines per test, written as real CSV files.

`Dataset` starts from one region, two commodities (a product and electricity) and no
technologies; tests add what they need and `write()` produces a real dataset folder plus a
scenario file, so every test goes through the same loader as an analyst's data.
"""

from __future__ import annotations

import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from optimizer.data.schema import TABLES_BY_NAME

SOURCE = "TEST"

# The output contract (README, "Outputs"): every table of a run folder and its columns, in order.
OUTPUT_COLUMNS = {
    "production.csv": ["region", "sector", "technology", "commodity", "year", "value", "unit"],
    "capacity.csv": ["region", "sector", "technology", "year", "in_service", "new", "retired", "unit"],
    "energy.csv": ["region", "sector", "commodity", "year", "value", "unit"],
    "emissions.csv": ["region", "sector", "technology", "year", "scope", "value", "unit"],
    "costs.csv": ["region", "year", "component", "value", "discounted", "unit"],
    "carbon_price.csv": ["region", "year", "price", "unit"],
    "abatement.csv": ["region", "year", "lever", "abatement", "share", "unit"],
}


def run_cli(*args: object, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    """Run `python -m optimizer ARGS` in a real process and capture its output."""
    return subprocess.run(
        [sys.executable, "-m", "optimizer", *map(str, args)], capture_output=True, text=True, cwd=cwd, check=False
    )


@dataclass
class Dataset:
    """Rows of each table, as dicts; `source` is filled in automatically."""

    base_year: int = 2025
    discount_rate: float = 0.0
    rows: dict[str, list[dict]] = field(default_factory=dict)

    def add(self, table: str, **row: object) -> Dataset:
        spec = TABLES_BY_NAME[table]
        if spec.has_source:
            row.setdefault("source", SOURCE)
        self.rows.setdefault(table, []).append(row)
        return self

    def commodity(self, name: str, unit: str = "Mt", kind: str = "product") -> Dataset:
        return self.add("commodities", commodity=name, unit=unit, kind=kind, description=name)

    def technology(
        self,
        name: str,
        output: str = "steel",
        *,
        capex: float = 0.0,
        fixed_om: float = 0.0,
        variable_om: float = 0.0,
        co2: float = 0.0,
        capture: float = 0.0,
        life: int = 50,
        availability: float = 1.0,
        first_year: int = 2000,
        lever: str = "incumbent",
        sector: str = "iron_steel",
        inputs: dict[str, float] | None = None,
    ) -> Dataset:
        """A technology with one cost row and one emission row (every vintage)."""
        self.add(
            "technologies",
            technology=name,
            sector=sector,
            lever=lever,
            output=output,
            life=life,
            availability=availability,
            first_year=first_year,
            description=name,
        )
        self.add("tech_costs", technology=name, vintage="", capex=capex, fixed_om=fixed_om, variable_om=variable_om)
        self.add("tech_emissions", technology=name, vintage="", co2_direct=co2, capture_rate=capture)
        for commodity, value in (inputs or {}).items():
            self.add("tech_flows", technology=name, commodity=commodity, direction="in", vintage="", value=value)
        return self

    def demand(self, values: dict[int, float], commodity: str = "steel", region: str = "R1") -> Dataset:
        for year, value in values.items():
            self.add("demand", region=region, commodity=commodity, year=year, value=value)
        return self

    def price(
        self,
        commodity: str,
        price: float,
        *,
        year: int = 2025,
        region: str = "R1",
        emission_factor: float | str = "",
        max_supply: float | str = "",
    ) -> Dataset:
        return self.add(
            "commodity_prices",
            region=region,
            commodity=commodity,
            year=year,
            price=price,
            emission_factor=emission_factor,
            max_supply=max_supply,
        )

    def write(self, folder: Path) -> Path:
        """Write the dataset to `folder` (created); return it."""
        folder.mkdir(parents=True, exist_ok=True)
        (folder / "dataset.toml").write_text(
            f'name = "test"\ncurrency = "CNY2025"\nbase_year = {self.base_year}\n'
            f"discount_rate = {self.discount_rate}\n",
            encoding="utf-8",
        )
        self.rows.setdefault("sources", [])
        if not any(r["source"] == SOURCE for r in self.rows["sources"]):
            self.rows["sources"].append(
                {"source": SOURCE, "kind": "assumption", "citation": "test", "url": "", "note": "test data"}
            )
        for name, spec in TABLES_BY_NAME.items():
            if name in self.rows or spec.required:
                frame = pd.DataFrame(self.rows.get(name, []), columns=list(spec.column_names))
                frame.to_csv(folder / spec.file, index=False)
        return folder


def write_scenario(
    folder: Path,
    dataset: Path,
    *,
    name: str = "test",
    start: int = 2025,
    end: int = 2030,
    step: int = 5,
    scope: str = "direct+indirect",
    extra: str = "",
    discount_rate: float | None = None,
) -> Path:
    """Write a scenario TOML pointing at `dataset`; `extra` is appended verbatim."""
    path = folder / f"{name}.toml"
    rate = f"discount_rate = {discount_rate}\n" if discount_rate is not None else ""
    path.write_text(
        f'name = "{name}"\ndataset = "{dataset.as_posix()}"\n'
        f"years = {{ start = {start}, end = {end}, step = {step} }}\n{rate}"
        f'[emissions]\nscope = "{scope}"\n{extra}\n',
        encoding="utf-8",
    )
    return path
