"""Charts and the self-contained page of a comparison (`compare.html`, `plots/*.png`).

Figures are `matplotlib.figure.Figure` objects rendered with the Agg canvas, never pyplot, so
a notebook's backend is left alone. Lever and cost-component colours come from
`optimizer.report.style`, so a lever has the same colour here as in every run's report.
"""

from __future__ import annotations

import base64
import html
import math
from pathlib import Path

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from optimizer.pathways.align import Comparison
from optimizer.report import figures as fg
from optimizer.report import style as st
from optimizer.report.html import CSS, fmt


def _figure(width: float, height: float, ncols: int = 1, nrows: int = 1) -> tuple[Figure, list[Axes]]:
    figure = Figure(figsize=(width, height), dpi=fg.DPI, layout="constrained")
    axes = figure.subplots(nrows, ncols, squeeze=False, sharey=True)
    return figure, list(axes.ravel())


def _run_colours(labels: list[str]) -> dict[str, str]:
    """The reference in black, the others from the route palette."""
    palette = st.ROUTE_PALETTE
    return {label: "#000000" if i == 0 else palette[(i - 1) % len(palette)] for i, label in enumerate(labels)}


def _legend(ax: Axes) -> None:
    if ax.get_legend_handles_labels()[0]:
        ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), frameon=False, fontsize=9)


def emissions_chart(comparison: Comparison) -> Figure:
    """Emissions in the cap's scope, one line per run (common years)."""
    figure, (ax,) = _figure(10.5, 5.0)
    colours = _run_colours(comparison.labels)
    table = comparison.tables["emissions"]
    for i, label in enumerate(comparison.labels):
        series = table[table["run"] == label].set_index("year")["emissions"].sort_index()
        ax.plot(series.index, series.to_numpy(), marker="o", color=colours[label], linewidth=2.4 if i == 0 else 1.6,
                label=label + (" (reference)" if i == 0 else ""))  # fmt: skip
    st.decorate(ax, "Emissions trajectories", st.axis_label("Emissions in the cap's scope", "MtCO2/yr"),
                comparison.common_years)  # fmt: skip
    ax.set_ylim(bottom=0)
    fg.thousands(ax)
    _legend(ax)
    return figure


def wedges_chart(comparison: Comparison) -> Figure:
    """Abatement by lever, one panel per run, bars stacked (negative wedges downwards)."""
    labels = comparison.labels
    ncols = min(len(labels), 4)
    nrows = math.ceil(len(labels) / ncols)
    figure, axes = _figure(3.6 * ncols + 2.2, 3.6 * nrows, ncols, nrows)
    table = comparison.tables["abatement"]
    levers = st.ordered(table["lever"], st.LEVERS)
    years = comparison.common_years
    width = 0.7 * (min(np.diff(years)) if len(years) > 1 else 5)
    for ax, label in zip(axes, labels, strict=False):
        wide = table[table["run"] == label].pivot_table(index="year", columns="lever", values="abatement",
                                                         aggfunc="sum", fill_value=0.0)  # fmt: skip
        wide = wide.reindex(index=years, columns=levers, fill_value=0.0)
        up, down = np.zeros(len(years)), np.zeros(len(years))
        for lever in levers:
            values = wide[lever].to_numpy()
            ax.bar(years, values, bottom=np.where(values >= 0, up, down), width=width, color=st.lever_colour(lever),
                   label=st.lever_label(lever) if ax is axes[0] else None)  # fmt: skip
            up, down = up + np.clip(values, 0, None), down + np.clip(values, None, 0)
        st.decorate(ax, label, st.axis_label("Abatement since the first year", "MtCO2/yr") if ax is axes[0] else "",
                    years)  # fmt: skip
    fg.thousands(axes[0])
    for ax in axes[len(labels) :]:
        ax.set_visible(False)
    figure.legend(loc="outside right upper", frameon=False, fontsize=9)
    return figure


def shares_chart(comparison: Comparison) -> Figure:
    """Lever shares of the reduction in the comparison's share years, runs side by side."""
    years = comparison.share_years
    figure, axes = _figure(5.2 * len(years) + 2.0, 4.6, len(years))
    table = comparison.tables["abatement"]
    levers = st.ordered(table["lever"], st.LEVERS)
    colours = _run_colours(comparison.labels)
    n = len(comparison.labels)
    width = 0.8 / n
    x = np.arange(len(levers))
    for ax, year in zip(axes, years, strict=True):
        for i, label in enumerate(comparison.labels):
            chosen = table[(table["run"] == label) & (table["year"] == year)].groupby("lever")["abatement"].sum()
            total = chosen.sum()
            shares = [100 * chosen.get(lever, 0.0) / total if total else 0.0 for lever in levers]
            ax.bar(x - 0.4 + width * (i + 0.5), shares, width=width, color=colours[label],
                   label=label if ax is axes[0] else None)  # fmt: skip
        ax.set_xticks(x, [st.lever_label(lever) for lever in levers], rotation=35, ha="right")
        st.decorate(ax, f"Shares of the reduction, {year}", "% of the reduction" if ax is axes[0] else "")
        ax.axhline(0, color="#666666", linewidth=0.8)
    figure.legend(loc="outside right upper", frameon=False, fontsize=9)
    return figure


def cost_delta_chart(comparison: Comparison) -> Figure | None:
    """Cumulative discounted cost minus the reference's, by component; None with one run."""
    table = comparison.tables["cumulative_cost"]
    others = comparison.labels[1:]
    components = [c for c in st.ordered(table["component"], st.COMPONENTS) if c != "total"] + ["total"]
    figure, (ax,) = _figure(10.5, 5.0)
    colours = _run_colours(comparison.labels)
    width = 0.8 / max(len(others), 1)
    x = np.arange(len(components))
    for i, label in enumerate(others):
        deltas = table[table["run"] == label].set_index("component")["delta_discounted"]
        ax.bar(x - 0.4 + width * (i + 0.5), [deltas.get(c, 0.0) for c in components], width=width,
               color=colours[label], label=label)  # fmt: skip
    ax.set_xticks(x, [st.component_label(c) if c != "total" else "Total" for c in components], rotation=20, ha="right")
    ax.axhline(0, color="#666666", linewidth=0.8)
    unit = str(table["unit"].iloc[0]) if len(table) else ""
    span = comparison.span
    st.decorate(ax, f"Cumulative discounted cost minus {comparison.reference}'s, {span[0]}–{span[1]}",
                st.axis_label("Difference, present value", unit))  # fmt: skip
    fg.thousands(ax)
    _legend(ax)
    return figure


CHARTS = (
    ("emissions", "Emissions trajectories", emissions_chart),
    ("wedges", "Abatement by lever", wedges_chart),
    ("lever_shares", "Lever shares of the reduction", shares_chart),
    ("cost_delta", "Cumulative cost against the reference, by component", cost_delta_chart),
)


def render(comparison: Comparison) -> list[tuple[str, str, bytes]]:
    """(name, title, PNG bytes) of every chart."""
    rendered = []
    with fg.style():
        for name, title, draw in CHARTS:
            figure = draw(comparison)
            if figure is not None:
                rendered.append((name, title, fg.png(figure)))
    return rendered


def measure_name(measure: str, comparison: Comparison) -> str:
    """A key number's name in words, with its unit: 'emissions_2060' → 'Emissions in 2060 (MtCO2/yr)'."""
    cost = comparison.cost_unit or "currency"
    prices = comparison.tables.get("carbon_price", pd.DataFrame(columns=["unit"]))["unit"].dropna()
    price = str(prices.iloc[0]) if len(prices) else "currency/tCO2"
    span = f"{comparison.span[0]}–{comparison.span[1]}"
    first, last = comparison.common_years[0], comparison.common_years[-1]
    fixed = {
        "scenario": "Scenario",
        "objective": f"Objective, present value ({cost})",
        "reduction_pct": f"Reduction {first}–{last} (%)",
        "cumulative_cost_discounted": f"Cumulative cost {span}, present value ({cost})",
        "delta_cost_discounted": f"… minus {comparison.reference}'s ({cost})",
        "cumulative_cost_undiscounted": f"Cumulative cost {span}, undiscounted ({cost})",
    }
    if measure in fixed:
        return fixed[measure]
    kind, _, rest = measure.rpartition("_")
    if kind == "emissions" and rest.isdigit():
        return f"Emissions in {rest} (MtCO2/yr)"
    if kind == "carbon_price" and rest.isdigit():
        return f"Carbon price in {rest} ({price})"
    if measure.startswith("share_"):
        return f"Share of the {last} reduction: {st.lever_label(measure.removeprefix('share_'))} (%)"
    return measure.replace("_", " ").capitalize()


def _key_table(comparison: Comparison) -> str:
    """Measures down (named in words, with units), runs across."""
    numbers = comparison.key_numbers.drop(columns=["folder"]).set_index("run").T
    head = "".join(f"<th>{html.escape(str(c))}</th>" for c in numbers.columns)
    rows = []
    for measure, values in numbers.iterrows():
        cells = []
        for value in values:
            number = pd.to_numeric(value, errors="coerce")
            shown = fmt(100 * number) if str(measure).startswith("share_") and pd.notna(number) else fmt(value)
            cells.append(f"<td>{shown}</td>")
        name = html.escape(measure_name(str(measure), comparison))
        rows.append(f"<tr><td class='name' title='{html.escape(str(measure))}'>{name}</td>{''.join(cells)}</tr>")
    return f"<table><tr><th>measure (column of key_numbers.csv on hover)</th>{head}</tr>{''.join(rows)}</table>"


def render_page(comparison: Comparison, charts: list[tuple[str, str, bytes]]) -> str:
    """compare.html: notes, key numbers per run and the charts (PNG data URIs); no external links."""
    notes = "".join(f"<li>{html.escape(note)}</li>" for note in comparison.notes) or "<li>none</li>"
    figures = "".join(
        f"<h2>{html.escape(title)}</h2><figure><img alt='{html.escape(title)}' "
        f"src='data:image/png;base64,{base64.b64encode(png).decode('ascii')}'></figure>"
        for _, title, png in charts
    )
    files = ", ".join(f"<code>{name}.csv</code>" for name in comparison.tables)
    years = comparison.common_years
    return (
        "<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'><title>Pathway comparison</title>"
        f"<style>{CSS}</style></head><body><h1>Pathway comparison</h1>"
        f"<p class='sub'>{len(comparison.labels)} runs; reference: <b>{html.escape(comparison.reference)}</b>; "
        f"common years {years[0]}–{years[-1]} ({len(years)}); cumulative costs over "
        f"{comparison.span[0]}–{comparison.span[1]}.</p><h2>Notes</h2><ul>{notes}</ul>"
        f"<h2>Key numbers</h2>{_key_table(comparison)}{figures}"
        f"<footer>Tables beside this page: {files}, <code>key_numbers.csv</code>, <code>compare.json</code>; "
        "`delta_*` columns are each run minus the reference.</footer></body></html>\n"
    )


def write_page(comparison: Comparison, out: Path) -> list[Path]:
    """Write plots/*.png and compare.html into `out`; return the paths."""
    charts = render(comparison)
    (out / "plots").mkdir(exist_ok=True)
    written = []
    for name, _, png in charts:
        path = out / "plots" / f"{name}.png"
        path.write_bytes(png)
        written.append(path)
    page = out / "compare.html"
    page.write_text(render_page(comparison, charts), encoding="utf-8")
    return [*written, page]
