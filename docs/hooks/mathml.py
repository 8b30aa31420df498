"""MkDocs hook: LaTeX in the manual's pages becomes MathML when the site is built.

`$$ … $$` (on lines of their own) is a display equation and `\\( … \\)` an inline one. Browsers
render MathML natively, so the built pages need no MathJax or KaTeX script and nothing is
fetched, neither at build time nor when a page is read. Fenced code blocks are left alone.
"""

from __future__ import annotations

import re

from latex2mathml.converter import convert

_FENCE = re.compile(r"(^```.*?^```)", re.MULTILINE | re.DOTALL)
_DISPLAY = re.compile(r"^\$\$\n?(.+?)\n?\$\$$", re.MULTILINE | re.DOTALL)
_INLINE = re.compile(r"\\\((.+?)\\\)")


def _display(match: re.Match[str]) -> str:
    return '\n<div class="math">' + convert(match.group(1).strip(), display="block") + "</div>\n"


def _inline(match: re.Match[str]) -> str:
    # in a <span>: Markdown takes a line starting with <math> for a block of raw HTML
    return '<span class="math-inline">' + convert(match.group(1).strip()) + "</span>"


def to_mathml(markdown: str) -> str:
    """Markdown with its LaTeX replaced by MathML (outside fenced code blocks)."""
    parts = _FENCE.split(markdown)
    for i in range(0, len(parts), 2):  # even parts lie outside fences
        parts[i] = _INLINE.sub(_inline, _DISPLAY.sub(_display, parts[i]))
    return "".join(parts)


def on_page_markdown(markdown: str, **_: object) -> str:
    return to_mathml(markdown)
