"""Small helpers for the self-contained HTML reports (no template engine, no scripts)."""

from __future__ import annotations

import base64
import html
from collections.abc import Iterable, Sequence

STYLE = """
body { font-family: system-ui, -apple-system, "Segoe UI", sans-serif; margin: 2em auto;
       max-width: 1100px; padding: 0 1em; color: #222; }
h1 { font-size: 1.6em; } h2 { font-size: 1.25em; margin-top: 1.8em;
     border-bottom: 1px solid #ddd; padding-bottom: .2em; }
table { border-collapse: collapse; margin: .6em 0; font-size: .92em; }
th, td { border: 1px solid #ccc; padding: .3em .6em; text-align: left; }
th { background: #f3f3f3; } td.num { text-align: right; font-variant-numeric: tabular-nums; }
.pass { color: #176b1c; font-weight: bold; } .fail { color: #b3141b; font-weight: bold; }
.headline { display: flex; flex-wrap: wrap; gap: .8em; }
.headline div { border: 1px solid #ddd; border-radius: 6px; padding: .5em .9em; }
.headline b { display: block; font-size: 1.3em; }
figure { margin: 1em 0; } figure img { max-width: 100%; border: 1px solid #eee; }
pre { background: #f7f7f7; padding: .8em; overflow-x: auto; font-size: .88em; }
"""


def esc(value: object) -> str:
    return html.escape("" if value is None else str(value))


def page(title: str, body: Iterable[str]) -> str:
    return (
        '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        f"<title>{esc(title)}</title>\n<style>{STYLE}</style>\n</head>\n<body>\n"
        + "\n".join(body)
        + "\n</body>\n</html>\n"
    )


def table(
    headers: Sequence[str],
    rows: Iterable[Sequence[object]],
    numeric: Sequence[bool] | None = None,
    raw: bool = False,
) -> str:
    """An HTML table; cells are escaped unless ``raw`` (then they are HTML already)."""
    numeric = numeric or [False] * len(headers)
    out = ["<table>", "<tr>" + "".join(f"<th>{esc(h)}</th>" for h in headers) + "</tr>"]
    for row in rows:
        cells = []
        for value, is_number in zip(row, numeric):
            text = str(value) if raw else esc(value)
            cells.append(f'<td class="num">{text}</td>' if is_number else f"<td>{text}</td>")
        out.append("<tr>" + "".join(cells) + "</tr>")
    out.append("</table>")
    return "\n".join(out)


def figure(png: bytes, name: str, caption: str) -> str:
    """A chart embedded as a data URI; ``name`` (its file) goes in the alt text and id."""
    data = base64.b64encode(png).decode("ascii")
    return (
        f'<figure id="{esc(name)}"><img alt="{esc(caption)} ({esc(name)})" '
        f'src="data:image/png;base64,{data}">'
        f'<figcaption>{esc(caption)} — <a href="{esc(name)}">{esc(name)}</a>'
        f"</figcaption></figure>"
    )


def verdict(passed: bool) -> str:
    return '<span class="pass">PASSED</span>' if passed else '<span class="fail">FAILED</span>'
