"""Write a run folder atomically: everything goes to a temporary folder swapped into place.

What may be replaced, and how the old folder is deleted, is decided in `optimizer.outputs.folders`.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pandas as pd

from optimizer.outputs.folders import staged


def write_folder(
    out: Path,
    tables: dict[str, pd.DataFrame],
    documents: dict[str, dict] | Callable[[], dict[str, dict]],
    extra: Callable[[Path], None] | None = None,
    kind: str = "run",
    force: bool = False,
) -> None:
    """Write CSV tables and JSON documents to `out`, replacing it only once all are written.

    `documents` may be a function, called after the tables are written (so a summary can time
    the writing). `extra` may add more files (plots, reports) before the swap. An existing `out`
    is replaced only if this tool wrote it as a `kind` folder and it holds nothing else, unless
    `force` (InputError otherwise; see `optimizer.outputs.folders.check_replaceable`).
    """
    with staged(out, kind, force) as staging:
        for name, table in tables.items():
            table.to_csv(staging / f"{name}.csv", index=False, float_format="%.10g", lineterminator="\n")
        if callable(documents):
            documents = documents()
        for name, document in documents.items():
            text = json.dumps(document, indent=2, sort_keys=False, default=_plain)
            (staging / f"{name}.json").write_text(text + "\n", encoding="utf-8")
        if extra is not None:
            extra(staging)


def _plain(value: object) -> object:
    if hasattr(value, "item"):
        return value.item()  # numpy scalars
    if isinstance(value, Path):
        return str(value)
    raise TypeError(f"cannot write {type(value).__name__} to JSON")
