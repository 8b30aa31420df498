"""Write a run folder atomically: everything goes to a temporary folder renamed into place."""

from __future__ import annotations

import json
import shutil
import uuid
from collections.abc import Callable
from pathlib import Path

import pandas as pd


def write_folder(
    out: Path,
    tables: dict[str, pd.DataFrame],
    documents: dict[str, dict] | Callable[[], dict[str, dict]],
    extra: Callable[[Path], None] | None = None,
) -> None:
    """Write CSV tables and JSON documents to `out`, replacing it only once all are written.

    `documents` may be a function, called after the tables are written (so a summary can time
    the writing). `extra` may add more files (plots, reports) before the rename.
    """
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    staging = out.parent / f".{out.name}.partial-{uuid.uuid4().hex[:8]}"
    staging.mkdir()
    try:
        for name, table in tables.items():
            table.to_csv(staging / f"{name}.csv", index=False, float_format="%.10g", lineterminator="\n")
        if callable(documents):
            documents = documents()
        for name, document in documents.items():
            text = json.dumps(document, indent=2, sort_keys=False, default=_plain)
            (staging / f"{name}.json").write_text(text + "\n", encoding="utf-8")
        if extra is not None:
            extra(staging)
        _replace(staging, out)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise


def _replace(staging: Path, out: Path) -> None:
    if out.exists():
        retired = out.parent / f".{out.name}.old-{uuid.uuid4().hex[:8]}"
        out.replace(retired)
        staging.replace(out)
        shutil.rmtree(retired, ignore_errors=True)
    else:
        staging.replace(out)


def _plain(value: object) -> object:
    if hasattr(value, "item"):
        return value.item()  # numpy scalars
    if isinstance(value, Path):
        return str(value)
    raise TypeError(f"cannot write {type(value).__name__} to JSON")
