"""Small inline SVG charts for offline HTML reports: no scripts, no fonts, no network.

The SVG elements carry no xmlns attribute: inside HTML5 they need none, so the page holds no URL.
"""

from __future__ import annotations

from html import escape


def _shade(share: float | None) -> str:
    """White-to-blue for 0..1; a hatched grey for no data."""
    if share is None:
        return "#eeeeee"
    s = max(0.0, min(1.0, share))
    r, g, b = (int(247 - s * (247 - c)) for c in (8, 81, 156))
    return f"rgb({r},{g},{b})"


def heatmap(rows: list[str], cols: list[str], values: dict[tuple[str, str], float | None],
            title: str, label: str = "share") -> str:  # fmt: skip
    """A rows × cols grid of cells shaded by a share in 0..1 (None: no data), with the % printed."""
    cw, ch, left, top = 46, 22, 60, 40
    width, height = left + cw * len(cols) + 10, top + ch * len(rows) + 40
    out = [f'<svg role="img" aria-label="{escape(title)}" width="{width}" height="{height}" '
           f'viewBox="0 0 {width} {height}" class="chart">', f"<title>{escape(title)}</title>"]  # fmt: skip
    for j, c in enumerate(cols):
        out.append(f'<text x="{left + j * cw + cw / 2}" y="{top - 8}" text-anchor="middle" '
                   f'class="axis">{escape(str(c))}</text>')  # fmt: skip
    for i, r in enumerate(rows):
        y = top + i * ch
        out.append(
            f'<text x="{left - 6}" y="{y + ch / 2 + 4}" text-anchor="end" class="axis">{escape(r)}</text>'
        )
        for j, c in enumerate(cols):
            v = values.get((r, c))
            x = left + j * cw
            text = "–" if v is None else f"{round(100 * v)}%"
            ink = "#ffffff" if v is not None and v > 0.55 else "#333333"
            out.append(
                f'<rect x="{x}" y="{y}" width="{cw - 2}" height="{ch - 2}" fill="{_shade(v)}">'
                f"<title>{escape(r)} {escape(str(c))}: {escape(text)} {escape(label)}</title></rect>"
                f'<text x="{x + cw / 2 - 1}" y="{y + ch / 2 + 3}" text-anchor="middle" class="cell" '
                f'fill="{ink}">{escape(text)}</text>'
            )
    y = top + len(rows) * ch + 14
    for k, s in enumerate((0, 0.25, 0.5, 0.75, 1.0)):
        out.append(f'<rect x="{left + k * 56}" y="{y}" width="54" height="12" fill="{_shade(s)}"/>'
                   f'<text x="{left + k * 56 + 27}" y="{y + 24}" text-anchor="middle" class="axis">'
                   f"{int(s * 100)}%</text>")  # fmt: skip
    out.append(f'<rect x="{left + 5 * 56 + 10}" y="{y}" width="54" height="12" fill="{_shade(None)}"/>'
               f'<text x="{left + 5 * 56 + 37}" y="{y + 24}" text-anchor="middle" class="axis">no data</text>')  # fmt: skip
    out.append("</svg>")
    return "".join(out)


def bars(items: list[tuple[str, float, str]], title: str) -> str:
    """Horizontal bars for shares in 0..1: (label, share, note shown after the bar)."""
    bh, left, plot = 20, 60, 330
    width = left + plot + 16 + 6 * max((len(n) + 7 for _, _, n in items), default=0)
    height = 16 + bh * len(items) + 24
    out = [f'<svg role="img" aria-label="{escape(title)}" width="{width}" height="{height}" '
           f'viewBox="0 0 {width} {height}" class="chart">', f"<title>{escape(title)}</title>"]  # fmt: skip
    for i, (label, share, note) in enumerate(items):
        y = 10 + i * bh
        w = max(0.0, min(1.0, share)) * plot
        out.append(
            f'<text x="{left - 6}" y="{y + bh / 2 + 3}" text-anchor="end" class="axis">{escape(label)}</text>'
            f'<rect x="{left}" y="{y + 2}" width="{plot}" height="{bh - 6}" fill="#f0f0f0"/>'
            f'<rect x="{left}" y="{y + 2}" width="{w:.1f}" height="{bh - 6}" fill="#c2410c">'
            f"<title>{escape(label)}: {100 * share:.1f}% {escape(note)}</title></rect>"
            f'<text x="{left + plot + 6}" y="{y + bh / 2 + 3}" class="axis">{100 * share:.1f}% {escape(note)}</text>'
        )
    y = 14 + bh * len(items)
    for k in range(5):
        x = left + k * plot / 4
        out.append(f'<text x="{x:.0f}" y="{y + 8}" text-anchor="middle" class="axis">{k * 25}%</text>')
    out.append("</svg>")
    return "".join(out)
