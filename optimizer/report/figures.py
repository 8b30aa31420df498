"""One figure style and a fixed-margin layout for every chart (run report, comparison, MACC, sweeps).

Figures are `matplotlib.figure.Figure` objects rendered by the Agg canvas, never through
pyplot, so a notebook's backend is left alone. Panels are placed at margins computed in inches
from what they hold (title lines, legend rows, the legend's widest label), not by a layout
engine: a layout engine draws every figure twice and measures every text, which made the charts
several times slower to render. `style()` sets the look once, for every figure drawn inside it.
"""

from __future__ import annotations

import io
import math
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass

import matplotlib as mpl
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter
from matplotlib.transforms import ScaledTranslation

DPI = 100
LEGEND_FONT = 8.5  # points
_CHAR = 0.068  # inches per character of a legend label at LEGEND_FONT (DejaVu Sans, a generous average)
_HANDLE = 0.5  # inches of a legend entry that are not text (handle and padding)
_ROW = 0.19  # inches per legend row
_TICKS = 0.32  # inches below an axis taken by its tick labels
_LINE = 0.24  # inches per title line

STYLE = {
    "font.size": 9.5,
    "axes.titlesize": 11,
    "axes.titlelocation": "left",
    "axes.titlepad": 6,
    "axes.titley": 1.0,  # a fixed title position: matplotlib need not measure the axes to place it
    "axes.labelsize": 9.5,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.grid": True,
    "axes.grid.axis": "y",
    "axes.axisbelow": True,
    "grid.color": "#dddddd",
    "grid.linewidth": 0.8,
    "xtick.labelsize": 9,
    "ytick.labelsize": 9,
    "legend.fontsize": LEGEND_FONT,
    "legend.frameon": False,
    "figure.dpi": DPI,
    "savefig.dpi": DPI,
    "savefig.facecolor": "white",
}


@contextmanager
def style() -> Iterator[None]:
    """Draw every figure made inside this block in the shared style."""
    with mpl.rc_context(STYLE):
        yield


def png(figure: Figure) -> bytes:
    """The figure as PNG bytes (no timestamp or software metadata, so files are reproducible)."""
    fix_axis_labels(figure)
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", metadata={"Software": None}, pil_kwargs={"compress_level": 3})
    return buffer.getvalue()


def fix_axis_labels(figure: Figure, y_offset: float = 0.72, x_offset: float = 0.3) -> None:
    """Put axis labels at fixed distances (inches) from their axes, so matplotlib need not
    measure every tick label to place them; the margins of `grid` leave room for them."""
    width, height = figure.get_size_inches()
    for ax in figure.axes:
        box = ax.get_position()
        if ax.get_ylabel():
            ax.yaxis.set_label_coords(-y_offset / (box.width * width), 0.5)
        if ax.get_xlabel():
            ax.xaxis.set_label_coords(0.5, -x_offset / (box.height * height))


def legend_columns(labels: Sequence[str], width: float) -> tuple[int, int]:
    """(columns, rows) of a legend of `labels` laid out across `width` inches."""
    if not labels:
        return 1, 0
    column = _HANDLE + _CHAR * max(len(label) for label in labels)
    columns = max(1, min(len(labels), int(width // column)))
    return columns, math.ceil(len(labels) / columns)


def legend_width(labels: Sequence[str]) -> float:
    """Inches taken by a one-column legend of `labels`."""
    return _HANDLE + _CHAR * max((len(label) for label in labels), default=0) + 0.15


@dataclass
class Grid:
    """Panels at fixed margins (inches). Each panel may have a legend below it (`below` rows)
    and the figure may keep a column on the right for legends (`right`)."""

    figure: Figure
    axes: list[Axes]
    below: int
    ticks: float = _TICKS  # inches under each panel before its legend (tick labels, x label)

    def legend_below(self, ax: Axes, columns: int, handles: list | None = None, labels: list | None = None) -> None:
        """The panel's legend under its tick labels, left-aligned, in `columns` columns."""
        handles_labels = ax.get_legend_handles_labels() if handles is None else (handles, labels)
        if not handles_labels[0]:
            return
        anchor = ax.transAxes + ScaledTranslation(-0.05, -self.ticks, self.figure.dpi_scale_trans)
        ax.legend(*handles_labels, loc="upper left", bbox_to_anchor=(0, 0), bbox_transform=anchor, ncol=columns,
                  borderaxespad=0, columnspacing=1.2, handlelength=1.6)  # fmt: skip

    @staticmethod
    def legend_right(ax: Axes, handles: list | None = None, labels: list | None = None) -> None:
        """The panel's legend in the column to its right."""
        handles_labels = ax.get_legend_handles_labels() if handles is None else (handles, labels)
        if handles_labels[0]:
            ax.legend(*handles_labels, loc="upper left", bbox_to_anchor=(1.02, 1.0), borderaxespad=0)


def grid(
    width: float,
    panel_height: float,
    ncols: int = 1,
    nrows: int = 1,
    *,
    title_lines: int = 1,
    suptitle: str = "",
    below: int = 0,
    right: float = 0.0,
    left: float = 1.0,
    gap: float | None = None,
    xlabel: bool = False,
    sharey: bool = False,
) -> Grid:
    """A figure `width` inches wide with `nrows` × `ncols` panels of `panel_height` inches.

    `title_lines`: lines of each panel's title; `suptitle`: a figure title above them;
    `below`: legend rows under each panel; `right`: inches kept on the right for legends;
    `xlabel`: room for an x-axis label under the tick labels; `gap`: inches between columns
    (default `left`, room for the next panel's tick labels and y label).
    """
    gap = left if gap is None else gap
    ticks = _TICKS + (0.22 if xlabel else 0.0)
    top = 0.2 + _LINE * title_lines + (0.4 if suptitle else 0.0)
    under = ticks + (_ROW * below + 0.12 if below else 0.0)
    height = top + nrows * panel_height + (nrows - 1) * (under + _LINE * title_lines + 0.35) + under + 0.1
    figure = Figure(figsize=(width, height), dpi=DPI)
    panel_width = (width - left - right - 0.25 - (ncols - 1) * gap) / ncols
    axes: list[Axes] = []
    for row in range(nrows):
        for column in range(ncols):
            x = left + column * (panel_width + gap)
            y_top = top + row * (panel_height + under + _LINE * title_lines + 0.35)
            rect = (x / width, 1 - (y_top + panel_height) / height, panel_width / width, panel_height / height)
            share = axes[0] if sharey and axes else None
            axes.append(figure.add_axes(rect, sharey=share))
    if suptitle:
        figure.suptitle(suptitle, x=left / width * 0.25, y=1 - 0.12 / height, ha="left", va="top", fontsize=13)
    return Grid(figure, axes, below, ticks)


def thousands(ax: Axes, axis: str = "y") -> None:
    """Headroom above (and below, if negative) the data on the y axis; tick labels with thousands
    separators and as many decimals as the axis's range needs (156.035, not 156)."""
    target = ax.yaxis if axis == "y" else ax.xaxis
    low, high = ax.get_ylim() if axis == "y" else ax.get_xlim()
    if axis == "y":
        room = 0.04 * (high - low)
        low, high = (low - room if low < 0 else low), (high + room if high > 0 else high)
        ax.set_ylim(low, high)
    target.set_major_formatter(FuncFormatter(tick_format(high - low)))


def tick_format(span: float) -> Callable[[float, object], str]:
    """A tick formatter for an axis covering `span`: thousands separators, decimals as needed.

    >>> [tick_format(9000)(v, None) for v in (0, 2500.0)], tick_format(0.04)(156.035, None)
    (['0', '2,500'], '156.035')
    """
    decimals = max(0, math.ceil(-math.log10(span / 5))) if span > 0 else 0
    return lambda value, _: f"{value:,.{decimals}f}" if value else "0"
