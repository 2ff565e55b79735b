"""Self-contained HTML pages with inline SVG charts: no scripts, fonts or images from anywhere else.

Shared by every tipdw report. Build a page from ``figure()``/``table()`` blocks with ``page()``;
charts are plain functions returning an ``<svg>`` string: ``line_chart``, ``stacked_bars``,
``bar_chart`` and ``heatmap``. Colours are the Okabe-Ito palette (readable with colour blindness).
"""

from __future__ import annotations

import html
import math
from collections.abc import Sequence

PALETTE = ["#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9", "#882255", "#000000",
           "#999999", "#F0E442"]  # fmt: skip
FONT = "system-ui, -apple-system, 'Segoe UI', Roboto, Helvetica, Arial, sans-serif"
CSS = f"""
body {{ font-family: {FONT}; margin: 0 auto; max-width: 1100px; padding: 0 24px 48px; color: #1a1a1a;
       line-height: 1.45; }}
h1 {{ font-size: 1.7em; margin: 0.6em 0 0.2em; }} h2 {{ font-size: 1.25em; margin-top: 1.8em;
       border-bottom: 1px solid #ddd; padding-bottom: 4px; }}
.banner {{ background: #b00020; color: #fff; font-weight: 700; text-align: center; padding: 10px;
           letter-spacing: 0.04em; margin: 0 -24px; }}
.meta {{ color: #555; font-size: 0.9em; }}
figure {{ margin: 1em 0 2em; }} figcaption {{ font-size: 0.88em; color: #333; margin-top: 6px; }}
.coverage {{ color: #333; }} .caveat {{ color: #8a4b00; font-style: italic; }}
table {{ border-collapse: collapse; font-size: 0.85em; margin: 0.6em 0; }}
th, td {{ border-bottom: 1px solid #e3e3e3; padding: 3px 10px; text-align: left; }}
td.num {{ text-align: right; font-variant-numeric: tabular-nums; }}
svg text {{ font-family: {FONT}; }}
"""


def esc(value: object) -> str:
    """HTML-escape any value (None becomes an empty string)."""
    return "" if value is None else html.escape(str(value), quote=True)


def fmt_num(value: float | int | None, digits: int = 0) -> str:
    """A number with thousands separators; '–' for missing."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    return f"{value:,.{digits}f}"


def page(title: str, body: str, banner: str | None = None, subtitle: str = "") -> str:
    """A complete HTML document; ``banner`` (e.g. the synthetic-data warning) tops the page."""
    top = f'<div class="banner">{esc(banner)}</div>' if banner else ""
    sub = f'<p class="meta">{esc(subtitle)}</p>' if subtitle else ""
    bottom = f'<div class="banner">{esc(banner)}</div>' if banner else ""
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        f'<meta name="viewport" content="width=device-width, initial-scale=1"><title>{esc(title)}</title>'
        f"<style>{CSS}</style></head><body>{top}<h1>{esc(title)}</h1>{sub}{body}{bottom}</body></html>\n"
    )


def figure(title: str, svg: str, coverage: str, caveat: str, extra: str = "") -> str:
    """A titled chart with its coverage statement and caveat under it."""
    return (
        f"<figure><h3>{esc(title)}</h3>{svg}{extra}<figcaption>"
        f'<div class="coverage"><b>Coverage:</b> {esc(coverage)}</div>'
        f'<div class="caveat"><b>Caveat:</b> {esc(caveat)}</div></figcaption></figure>'
    )


def table(columns: Sequence[str], rows: Sequence[Sequence[object]]) -> str:
    """A plain HTML table; numbers are right-aligned with thousands separators."""
    head = "".join(f"<th>{esc(c)}</th>" for c in columns)
    body = []
    for r in rows:
        cells = []
        for v in r:
            if isinstance(v, int | float) and not isinstance(v, bool):
                cells.append(f'<td class="num">{fmt_num(v, 0 if float(v).is_integer() else 1)}</td>')
            else:
                cells.append(f"<td>{esc(v)}</td>")
        body.append(f"<tr>{''.join(cells)}</tr>")
    return f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>"


def _nice_max(v: float) -> float:
    if v <= 0:
        return 1.0
    exp = 10 ** math.floor(math.log10(v))
    for m in (1, 2, 2.5, 5, 10):
        if m * exp >= v:
            return m * exp
    return 10 * exp


def _legend(labels: Sequence[str], colors: Sequence[str], x: float, y: float, width: float) -> str:
    out, cx, cy = [], x, y
    for label, color in zip(labels, colors, strict=True):
        w = 22 + 7.2 * len(label)
        if cx + w > x + width:
            cx, cy = x, cy + 18
        out.append(
            f'<rect x="{cx:.1f}" y="{cy - 9:.1f}" width="12" height="12" fill="{color}"/>'
            f'<text x="{cx + 16:.1f}" y="{cy + 1:.1f}" font-size="12">{esc(label)}</text>'
        )
        cx += w + 10
    return "".join(out)


def _legend_height(labels: Sequence[str], width: float) -> float:
    rows, cx = 1, 0.0
    for label in labels:
        w = 22 + 7.2 * len(label) + 10
        if cx + w > width:
            rows, cx = rows + 1, 0.0
        cx += w
    return rows * 18


def line_chart(
    series: dict[str, Sequence[tuple[int | float, float | None]]],
    y_label: str = "",
    width: int = 1000,
    height: int = 380,
) -> str:
    """Lines over a shared numeric x axis (e.g. years); a None y leaves a gap in the line."""
    labels = list(series)
    colors = [PALETTE[i % len(PALETTE)] for i in range(len(labels))]
    xs = sorted({x for pts in series.values() for x, _ in pts})
    ys = [y for pts in series.values() for _, y in pts if y is not None]
    if not xs or not ys:
        return _empty(width, "no data")
    leg_h = _legend_height(labels, width - 80)
    left, right, top, bottom = 70, 20, 16 + leg_h, 36
    pw, ph = width - left - right, height - top - bottom
    ymax = _nice_max(max(ys))
    x0, x1 = xs[0], xs[-1] if xs[-1] != xs[0] else xs[0] + 1

    def px(x):
        return left + (x - x0) / (x1 - x0) * pw

    def py(y):
        return top + ph - y / ymax * ph

    parts = [f'<svg role="img" width="{width}" height="{height}" '
             f'viewBox="0 0 {width} {height}">']  # fmt: skip
    parts.append(_legend(labels, colors, left, 14, width - left - 10))
    for i in range(6):
        v = ymax * i / 5
        parts.append(
            f'<line x1="{left}" x2="{left + pw}" y1="{py(v):.1f}" y2="{py(v):.1f}" stroke="#e5e5e5"/>'
            f'<text x="{left - 6}" y="{py(v) + 4:.1f}" font-size="11" text-anchor="end">{fmt_num(v)}</text>'
        )
    for x in xs:
        parts.append(
            f'<text x="{px(x):.1f}" y="{top + ph + 18}" font-size="11" text-anchor="middle">{esc(x)}</text>'
        )
    if y_label:
        parts.append(
            f'<text x="14" y="{top + ph / 2:.1f}" font-size="11" text-anchor="middle" '
            f'transform="rotate(-90 14 {top + ph / 2:.1f})">{esc(y_label)}</text>'
        )
    for label, color in zip(labels, colors, strict=True):
        seg: list[str] = []
        for x, y in sorted(series[label], key=lambda p: p[0]):
            if y is None:
                parts.append(_polyline(seg, color))
                seg = []
                continue
            seg.append(f"{px(x):.1f},{py(y):.1f}")
            parts.append(f'<circle cx="{px(x):.1f}" cy="{py(y):.1f}" r="2.6" fill="{color}">'
                         f"<title>{esc(label)} {esc(x)}: {fmt_num(y)}</title></circle>")  # fmt: skip
        parts.append(_polyline(seg, color))
    parts.append(f'<line x1="{left}" x2="{left}" y1="{top}" y2="{top + ph}" stroke="#888"/>')
    parts.append(f'<line x1="{left}" x2="{left + pw}" y1="{top + ph}" y2="{top + ph}" stroke="#888"/>')
    parts.append("</svg>")
    return "".join(parts)


def _polyline(points: list[str], color: str) -> str:
    if len(points) < 2:
        return ""
    return f'<polyline points="{" ".join(points)}" fill="none" stroke="{color}" stroke-width="2"/>'


def stacked_bars(
    rows: Sequence[tuple[str, dict[str, float | None]]],
    categories: Sequence[str],
    labels: dict[str, str] | None = None,
    width: int = 1000,
    bar_height: int = 22,
    label_width: int = 250,
) -> str:
    """Horizontal 100% bars, one per row, split by ``categories`` (percent shown inside segments).

    A part that is absent from a row's dict counts as none; a part that is present but None
    (withheld or unknown) makes the shares unknowable, so that row is drawn as an empty outline
    that names the withheld parts instead of bars that would overstate the others.
    """
    labels = labels or {}
    names = [labels.get(c, c) for c in categories]
    colors = [PALETTE[i % len(PALETTE)] for i in range(len(categories))]
    leg_h = _legend_height(names, width - label_width)
    top = 14 + leg_h
    pw = width - label_width - 20
    height = top + len(rows) * (bar_height + 8) + 10
    parts = [f'<svg role="img" width="{width}" height="{height}" '
             f'viewBox="0 0 {width} {height}">', _legend(names, colors, label_width, 14, pw)]  # fmt: skip
    for i, (label, values) in enumerate(rows):
        y = top + i * (bar_height + 8)
        parts.append(
            f'<text x="{label_width - 8}" y="{y + bar_height / 2 + 4:.1f}" font-size="12" '
            f'text-anchor="end">{esc(label)}</text>'
        )
        known = {c: v for c, v in values.items() if c in categories and v is not None}
        withheld = [labels.get(c, c) for c in categories if c in values and values[c] is None]
        total = sum(known.values())
        if withheld or total <= 0:
            why = f"not available: {', '.join(withheld)} withheld or unknown" if withheld else "not available"
            parts.append(
                f'<rect x="{label_width}" y="{y}" width="{pw}" height="{bar_height}" fill="none" '
                f'stroke="#bbb"/><text x="{label_width + 8}" y="{y + bar_height / 2 + 4:.1f}" '
                f'font-size="11" fill="#777">{esc(why)}</text>'
            )
            continue
        x = float(label_width)
        for c, color in zip(categories, colors, strict=True):
            v = known.get(c)
            if not v:
                continue
            w = v / total * pw
            pct = 100 * v / total
            parts.append(
                f'<rect x="{x:.1f}" y="{y}" width="{w:.1f}" height="{bar_height}" fill="{color}">'
                f"<title>{esc(label)}: {esc(labels.get(c, c))} {fmt_num(v)} ({pct:.1f}%)</title></rect>"
            )
            if w > 34:
                parts.append(
                    f'<text x="{x + w / 2:.1f}" y="{y + bar_height / 2 + 4:.1f}" font-size="11" '
                    f'text-anchor="middle" fill="#fff">{pct:.0f}%</text>'
                )
            x += w
    parts.append("</svg>")
    return "".join(parts)


def bar_chart(
    rows: Sequence[tuple[str, float | None]],
    width: int = 1000,
    bar_height: int = 18,
    label_width: int = 250,
    color: str = PALETTE[0],
    value_format: str = "{:,.0f}",
) -> str:
    """Horizontal bars, one per (label, value); a None value is marked "not available"."""
    vmax = _nice_max(max((v for _, v in rows if v is not None), default=1.0))
    pw = width - label_width - 80
    height = len(rows) * (bar_height + 6) + 10
    parts = [f'<svg role="img" width="{width}" height="{height}" '
             f'viewBox="0 0 {width} {height}">']  # fmt: skip
    for i, (label, v) in enumerate(rows):
        y = 5 + i * (bar_height + 6)
        parts.append(
            f'<text x="{label_width - 8}" y="{y + bar_height / 2 + 4:.1f}" font-size="12" '
            f'text-anchor="end">{esc(label)}</text>'
        )
        if v is None:
            parts.append(f'<text x="{label_width + 4}" y="{y + bar_height / 2 + 4:.1f}" font-size="11" '
                         'fill="#777">not available</text>')  # fmt: skip
            continue
        w = v / vmax * pw
        parts.append(
            f'<rect x="{label_width}" y="{y}" width="{w:.1f}" height="{bar_height}" fill="{color}"/>'
            f'<text x="{label_width + w + 4:.1f}" y="{y + bar_height / 2 + 4:.1f}" font-size="11">'
            f"{esc(value_format.format(v))}</text>"
        )
    parts.append("</svg>")
    return "".join(parts)


def heatmap(
    row_labels: Sequence[str],
    col_labels: Sequence[str],
    values: dict[tuple[str, str], float | None],
    vmax: float = 1.0,
    cell: int = 22,
    label_width: int = 160,
    value_format: str = "{:.0%}",
) -> str:
    """A grid of cells shaded from white (0) to blue (``vmax``); a missing cell is grey."""
    width = label_width + len(col_labels) * cell + 10
    height = 40 + len(row_labels) * cell + 10
    parts = [f'<svg role="img" width="{width}" height="{height}" '
             f'viewBox="0 0 {width} {height}">']  # fmt: skip
    for j, c in enumerate(col_labels):
        x = label_width + j * cell + cell / 2
        parts.append(f'<text x="{x:.1f}" y="34" font-size="10" text-anchor="end" '
                     f'transform="rotate(-45 {x:.1f} 34)">{esc(c)}</text>')  # fmt: skip
    for i, r in enumerate(row_labels):
        y = 40 + i * cell
        parts.append(f'<text x="{label_width - 6}" y="{y + cell / 2 + 4:.1f}" font-size="11" '
                     f'text-anchor="end">{esc(r)}</text>')  # fmt: skip
        for j, c in enumerate(col_labels):
            v = values.get((r, c))
            if v is None:
                fill, tip = "#d9d9d9", "missing"
            else:
                t = max(0.0, min(1.0, v / vmax if vmax else 0.0))
                fill = f"rgb({int(255 - 255 * t)},{int(255 - 141 * t)},{int(255 - 77 * t)})"
                tip = value_format.format(v)
            parts.append(
                f'<rect x="{label_width + j * cell}" y="{y}" width="{cell - 1}" height="{cell - 1}" '
                f'fill="{fill}"><title>{esc(r)} {esc(c)}: {esc(tip)}</title></rect>'
            )
    parts.append("</svg>")
    return "".join(parts)


def _empty(width: int, message: str) -> str:
    return (
        f'<svg width="{width}" height="40" viewBox="0 0 {width} 40">'
        f'<text x="10" y="24" font-size="13" fill="#777">{esc(message)}</text></svg>'
    )
