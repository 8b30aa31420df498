"""Draw a list of charts to PNG, on two processes where that pays off.

Matplotlib draws on one core, and a run's report is a score of independent figures, so on a
machine with a spare core the charts are split between this process and forked copies of it
(which inherit the tables and matplotlib already imported: nothing is pickled but the PNG bytes
coming back). Forking is used only where the platform offers it (Linux); elsewhere, with one
core or with few charts, they are drawn here one after another. Either way the PNG bytes are the
same (tested), and the charts come back in order.
"""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Callable, Sequence

from matplotlib.figure import Figure

from optimizer.report import figures as fg
from optimizer.report.chart import Chart

#: (file stem, page title, key, draw) of one chart; `draw` returns (figure, caption) or None.
Builder = tuple[str, str, str, Callable[[], tuple[Figure, str] | None]]

MIN_CHARTS_TO_SPLIT = 6  # below this, starting a process costs more than it saves

_pending: Sequence[Builder] = ()  # what forked children draw, by index (inherited, not pickled)


def default_workers(charts: int) -> int:
    """How many processes to draw `charts` charts on: 2 where a core is spare and fork exists."""
    if charts < MIN_CHARTS_TO_SPLIT or "fork" not in multiprocessing.get_all_start_methods():
        return 1
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
    return min(2, cores)


def _draw(index: int) -> tuple[bytes, str] | None:
    """The PNG bytes and caption of chart `index` of `_pending`, or None if it has no data."""
    with fg.style():
        made = _pending[index][3]()
        if made is None:
            return None
        figure, caption = made
        return fg.png(figure), caption


def draw_charts(
    builders: Sequence[Builder], progress: Callable[[str], None] | None = None, workers: int | None = None
) -> list[Chart]:
    """Every chart of `builders` that has data, in their order; `progress(title)` is called as
    each is taken in hand (serial) or finished (split). `workers` None: `default_workers`."""
    global _pending
    workers = default_workers(len(builders)) if workers is None else max(1, workers)
    _pending = builders
    try:
        if workers == 1:
            drawn = []
            for index, (_name, title, _key, _build) in enumerate(builders):
                if progress is not None:
                    progress(title)
                drawn.append(_draw(index))
        else:
            with multiprocessing.get_context("fork").Pool(workers) as pool:
                drawn = []
                for index, made in enumerate(pool.imap(_draw, range(len(builders)), chunksize=1)):
                    if progress is not None:
                        progress(builders[index][1])
                    drawn.append(made)
    finally:
        _pending = ()
    return [
        Chart(name, title, made[1], made[0], key)
        for (name, title, key, _build), made in zip(builders, drawn, strict=True)
        if made is not None
    ]
