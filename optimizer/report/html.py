"""One self-contained HTML page per run: key numbers, the charts (PNG data URIs) and the tables
behind them. Inline CSS only: no scripts, fonts, stylesheets or links to fetch."""

from __future__ import annotations

import base64
import html
import math
import numbers
from pathlib import Path

import pandas as pd

from optimizer.report import derive
from optimizer.report import style as st
from optimizer.report.chart import Chart
from optimizer.results import RunTables

CSS = """
body{font-family:system-ui,-apple-system,"Segoe UI",Helvetica,Arial,sans-serif;margin:0 auto;max-width:1200px;
padding:1.5rem 2rem;color:#222;line-height:1.45}
h1{font-size:1.6rem;margin-bottom:.2rem}h2{font-size:1.25rem;margin-top:2.2rem;border-bottom:1px solid #ddd}
.sub{color:#666;margin-top:0}.cards{display:flex;flex-wrap:wrap;gap:.8rem;margin:1rem 0}
.card{border:1px solid #ddd;border-radius:6px;padding:.6rem .9rem;min-width:12rem;flex:1}
.card b{display:block;font-size:1.35rem}.card span{color:#666;font-size:.85rem}
img{max-width:100%;height:auto;border:1px solid #eee}figcaption{color:#555;font-size:.9rem}
table{border-collapse:collapse;font-size:.82rem;margin:.5rem 0 1rem}th,td{padding:.2rem .55rem;
border-bottom:1px solid #e5e5e5}th{background:#f6f6f6;text-align:left}td{text-align:right;
font-variant-numeric:tabular-nums}details{margin:.4rem 0 1.2rem}summary{cursor:pointer;color:#333}
.swatch{display:inline-block;width:.9em;height:.9em;margin-right:.4em;vertical-align:-.1em;border-radius:2px}
td.name{text-align:left}footer{color:#777;font-size:.8rem;margin-top:3rem}
"""


def fmt(value: object) -> str:
    """A number rounded for reading: 8,320 · 43.6 · 0.12 · –.

    >>> [fmt(v) for v in (8319.9, 43.58, 0.1234, 0.0, float("nan"), -2.99)]
    ['8,320', '43.6', '0.12', '0', '–', '-2.99']
    """
    if value is None or (isinstance(value, numbers.Real) and math.isnan(value)):
        return "–"
    if not isinstance(value, numbers.Real):
        return html.escape(str(value))
    magnitude = abs(value)
    if magnitude >= 100:
        return f"{value:,.0f}"
    if magnitude >= 10:
        return f"{value:,.1f}"
    if magnitude >= 0.01 or value == 0:
        return f"{value:.3g}" if magnitude >= 1 else f"{value:.2f}".rstrip("0").rstrip(".") or "0"
    return f"{value:.2g}"


def _table(frame: pd.DataFrame) -> str:
    """A wide table (index = row labels, columns = years or measures) as HTML."""
    if frame.empty:
        return "<p>(no data)</p>"
    names = [str(n or "") for n in frame.index.names]
    head = "".join(f"<th>{html.escape(n)}</th>" for n in names)
    head += "".join(f"<th>{html.escape(str(c))}</th>" for c in frame.columns)
    rows = []
    for key, values in zip(frame.index, frame.to_numpy(), strict=True):
        labels = key if isinstance(key, tuple) else (key,)
        cells = "".join(f'<td class="name">{html.escape(str(k))}</td>' for k in labels)
        cells += "".join(f"<td>{fmt(v)}</td>" for v in values)
        rows.append(f"<tr>{cells}</tr>")
    return f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table>"


def _wide(frame: pd.DataFrame, rows: list[str], value: str, fill: float | None = 0.0) -> pd.DataFrame:
    """rows × year sums; a missing combination is `fill` (zero: no row means none)."""
    if frame.empty:
        return pd.DataFrame()
    return frame.pivot_table(index=rows, columns="year", values=value, aggfunc="sum", fill_value=fill).astype("float64")


def _chart_tables(tables: RunTables, chart: Chart) -> list[tuple[str, pd.DataFrame]]:
    """The numbers behind a chart: (caption, wide table) pairs."""
    name = chart.name
    if name == "emissions_wedges":
        wedges = _wide(tables.abatement, ["lever"], "abatement")
        wedges = wedges.reindex(st.ordered(wedges.index, st.LEVERS)).rename(index=st.lever_label)
        emissions = derive.total_emissions(tables).to_frame().T.rename(index={"emissions": "Emissions"})
        return [("Abatement by lever and emissions (MtCO2/yr)", pd.concat([wedges, emissions]))]
    if name == "emissions_by_sector_scope":
        by_sector = derive.in_scope(tables).assign(sector=lambda f: f["sector"].map(st.sector_name))
        return [
            ("Emissions in scope by sector (MtCO2/yr)", _wide(by_sector, ["sector"], "value")),
            ("Emissions by scope (MtCO2/yr)", _wide(tables.emissions, ["scope"], "value")),
        ]
    if name.startswith("production_"):
        part = tables.production[tables.production["sector"] == chart.key]
        labels = tables.summary.get("labels") or {}
        part = part.assign(technology=part["technology"].map(lambda t: labels.get(t) or t))
        return [("Production by product and technology", _wide(part, ["commodity", "technology", "unit"], "value"))]
    if name == "capacity_changes":
        cap = tables.capacity.assign(sector=tables.capacity["sector"].map(st.sector_name))
        return [
            ("New capacity by sector", _wide(cap, ["sector", "unit"], "new")),
            ("Early retirements by sector", _wide(cap, ["sector", "unit"], "retired")),
            ("Capacity in service by sector", _wide(cap, ["sector", "unit"], "in_service")),
        ]
    if name == "energy_by_carrier":
        energy = derive.energy_pj(tables).dropna(subset=["pj"])
        energy["use"] = energy["final"].map({True: "final use", False: "converted"})
        return [("Energy use by carrier (PJ/yr)", _wide(energy, ["use", "carrier"], "pj"))]
    if name == "co2_captured_stored":
        captured = derive.captured(tables)
        return [
            (
                "CO2 captured by sector (MtCO2/yr)",
                _wide(captured.assign(sector=captured["sector"].map(st.sector_name)), ["sector"], "value"),
            )
        ]
    if name == "carbon_price":
        return [("Carbon price", _wide(tables.carbon_price, ["region", "unit"], "price", None))]
    if name == "costs_by_component":
        return [
            ("Annual cost, undiscounted", _wide(tables.costs, ["component", "unit"], "value")),
            ("Present value of each milestone's years", _wide(tables.costs, ["component", "unit"], "discounted")),
        ]
    return []


def _cards(tables: RunTables) -> str:
    h = derive.headline(tables)
    scope = tables.summary.get("scope", "")
    span = f"{h.first_year}–{h.last_year}"
    price = f"{fmt(h.peak_price)} {h.price_unit}" if h.peak_price_year is not None else "–"
    cards = [
        (f"{fmt(h.last_emissions)} MtCO2/yr", f"emissions in {h.last_year} ({scope})"),
        (f"{h.reduction_pct:.1f} %", f"reduction since {h.first_year} ({fmt(h.first_emissions)} MtCO2/yr)"),
        (derive.scaled_money(h.cost_total, h.cost_unit), f"cumulative cost {span}, undiscounted"),
        (derive.scaled_money(h.investment_total, h.cost_unit), f"cumulative investment {span} (annualised charges)"),
        (price, f"peak carbon price (in {h.peak_price_year})" if h.peak_price_year else "peak carbon price"),
    ]
    if isinstance(tables.summary.get("objective"), int | float):
        unit = tables.summary.get("objective_unit", h.cost_unit)
        cards.append(
            (derive.scaled_money(tables.summary["objective"], unit.split(" (")[0]), "objective, present value")
        )
    reference = tables.summary.get("cost_vs_reference") or {}
    if reference.get("status") == "optimal":
        unit = reference["present_value_unit"].split(" (")[0]
        cards.append((derive.scaled_money(reference["present_value"], unit), "cost against the no-policy run, PV"))
        if reference.get("average_cost") is not None:
            currency = reference["average_cost_unit"].split(" (")[0]
            cards.append((f"{fmt(reference['average_cost'])} {currency}", "average cost per tonne abated"))
    body = "".join(f"<div class='card'><b>{html.escape(v)}</b><span>{html.escape(t)}</span></div>" for v, t in cards)
    levers = tables.abatement[tables.abatement["year"] == h.last_year].groupby("lever")["abatement"].sum()
    rows = "".join(
        f"<tr><td class='name'><span class='swatch' style='background:{st.lever_colour(lever)}'></span>"
        f"{html.escape(st.lever_label(lever))}</td><td>{fmt(float(levers[lever]))}</td>"
        f"<td>{100 * h.lever_shares.get(lever, math.nan):.1f} %</td></tr>"
        for lever in st.ordered(levers.index, st.LEVERS)
    )
    shares = (
        f"<h2>Abatement by lever in {h.last_year}</h2><table><thead><tr><th>lever</th><th>MtCO2/yr</th>"
        f"<th>share of the reduction</th></tr></thead><tbody>{rows}</tbody></table>"
    )
    return f"<div class='cards'>{body}</div>{shares if rows else ''}"


def render_html(tables: RunTables, charts: list[Chart] | None = None) -> str:
    """The page as a string; charts are rendered here unless given."""
    if charts is None:
        from optimizer.report.plots import render_charts  # matplotlib, only when charts are drawn here

        charts = render_charts(tables)
    scenario = html.escape(tables.scenario)
    sections = []
    for chart in charts:
        data = base64.b64encode(chart.png).decode("ascii")
        details = "".join(
            f"<details><summary>{html.escape(caption)}</summary>{_table(frame)}</details>"
            for caption, frame in _chart_tables(tables, chart)
        )
        sections.append(
            f"<section id='{chart.name}'><h2>{html.escape(chart.title)}</h2><figure>"
            f"<img src='data:image/png;base64,{data}' alt='{html.escape(chart.title)}'>"
            f"<figcaption>{html.escape(chart.caption)}</figcaption></figure>{details}</section>"
        )
    summary = tables.summary
    versions = ", ".join(f"{k} {v}" for k, v in (summary.get("versions") or {}).items())
    facts = [
        f"status {summary.get('status', '?')}",
        f"currency {summary.get('currency', '')}",
        f"discount rate {summary.get('discount_rate', '?')}",
        versions,
    ]
    footer = html.escape("; ".join(facts)) + ". Made by <code>optimizer report</code> from the run folder's tables."
    return (
        "<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>"
        f"<meta name='viewport' content='width=device-width, initial-scale=1'><title>{scenario}: results</title>"
        f"<style>{CSS}</style></head><body><h1>Scenario {scenario}</h1>"
        f"<p class='sub'>Least-cost industrial decarbonisation pathway, {tables.years[0]}–{tables.years[-1]}; "
        f"emissions in scope: {html.escape(str(summary.get('scope', '')))}.</p>"
        f"{_cards(tables)}{''.join(sections)}<footer>{footer}</footer></body></html>\n"
    )


def write_html(tables: RunTables, folder: str | Path, charts: list[Chart] | None = None) -> Path:
    """Write `folder/report.html`; return its path."""
    path = Path(folder) / "report.html"
    path.write_text(render_html(tables, charts), encoding="utf-8")
    return path
