"""Charts as inline SVG, drawn on the server: no script, no library, every label escaped."""

from __future__ import annotations

from datetime import date, timedelta
from urllib.parse import quote

from markupsafe import Markup, escape

from warehouse.browse import Table

# Colour-blind-safe (Okabe-Ito), then grey for the sites beyond them.
PALETTE = ("#0072b2", "#e69f00", "#009e73", "#cc79a7", "#56b4e9", "#d55e00", "#f0e442", "#000000")
OTHER = "#999999"
WIDTH, HEIGHT, LEFT, BOTTOM, TOP = 720, 180, 36, 22, 8


def daily_bars(table: Table) -> Markup:
    """Stacked bars of stories per day, one colour per site (the busiest first; the rest as "other"), from a
    table of site, day, articles covering consecutive days (days without stories are gaps)."""
    if not table.rows:
        return Markup('<p class="empty">No dated articles.</p>')
    days = [row[1] for row in table.rows]
    first, last = min(days), max(days)
    span = (last - first).days + 1
    totals: dict[str, int] = {}
    for site, _day, count in table.rows:
        totals[site] = totals.get(site, 0) + count
    ranked = sorted(totals, key=lambda site: (-totals[site], site))
    colours = {site: PALETTE[k] if k < len(PALETTE) else OTHER for k, site in enumerate(ranked)}
    per_day: dict[date, list[tuple[str, int]]] = {}
    for site, day, count in sorted(table.rows, key=lambda row: ranked.index(row[0])):
        per_day.setdefault(day, []).append((site, count))
    peak = max(sum(count for _, count in stack) for stack in per_day.values())
    plot_w, plot_h = WIDTH - LEFT - 4, HEIGHT - BOTTOM - TOP
    bar_w = plot_w / span
    parts = [f'<svg class="chart" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" '
             f'aria-label="Articles per day per site, {first} to {last}">']
    parts += _y_axis(peak, plot_h)
    for day, stack in per_day.items():
        x = LEFT + (day - first).days * bar_w
        y = TOP + plot_h
        for site, count in stack:
            h = count / peak * plot_h
            y -= h
            parts.append(f'<rect x="{x:.1f}" y="{y:.1f}" width="{max(bar_w - 1, 1):.1f}" height="{h:.1f}" '
                         f'fill="{colours[site]}"><title>{escape(site)} {day}: {count}</title></rect>')
    for tick in _day_ticks(first, last):
        x = LEFT + (tick - first).days * bar_w + bar_w / 2
        parts.append(f'<text x="{x:.1f}" y="{HEIGHT - 6}" class="tick" text-anchor="middle">{tick:%m-%d}</text>')
    parts.append("</svg>")
    legend = "".join(f'<li>{_swatch(colours[site])}'
                     f'<a href="/site/{escape(quote(site, safe=""))}">{escape(site)}</a> {totals[site]:,}</li>'
                     for site in ranked[:len(PALETTE)])
    if len(ranked) > len(PALETTE):
        legend += f'<li>{_swatch(OTHER)}{len(ranked) - len(PALETTE)} other sites</li>'
    return Markup("".join(parts) + f'<ul class="legend">{legend}</ul>')


def monthly_bars(table: Table) -> Markup:
    """Bars of articles per month from a table of month ("2024-11"), articles."""
    if not table.rows:
        return Markup('<p class="empty">No dated articles.</p>')
    peak = max(count for _, count in table.rows)
    plot_w, plot_h = WIDTH - LEFT - 4, HEIGHT - BOTTOM - TOP
    bar_w = plot_w / len(table.rows)
    parts = [f'<svg class="chart" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" aria-label="Articles per month">']
    parts += _y_axis(peak, plot_h)
    step = max(1, len(table.rows) // 12)
    for k, (month, count) in enumerate(table.rows):
        h = count / peak * plot_h
        x = LEFT + k * bar_w
        parts.append(f'<rect x="{x:.1f}" y="{TOP + plot_h - h:.1f}" width="{max(bar_w - 2, 1):.1f}" '
                     f'height="{h:.1f}" fill="{PALETTE[0]}"><title>{escape(month)}: {count}</title></rect>')
        if k % step == 0:
            parts.append(f'<text x="{x + bar_w / 2:.1f}" y="{HEIGHT - 6}" class="tick" '
                         f'text-anchor="middle">{escape(month)}</text>')
    parts.append("</svg>")
    return Markup("".join(parts))


def _y_axis(peak: int, plot_h: float) -> list[str]:
    return [f'<line x1="{LEFT}" y1="{TOP + plot_h}" x2="{WIDTH - 4}" y2="{TOP + plot_h}" class="axis"/>',
            f'<text x="{LEFT - 4}" y="{TOP + 8}" class="tick" text-anchor="end">{peak:,}</text>',
            f'<text x="{LEFT - 4}" y="{TOP + plot_h}" class="tick" text-anchor="end">0</text>']


def _day_ticks(first: date, last: date, count: int = 6) -> list[date]:
    span = (last - first).days
    if span == 0:
        return [first]
    step = max(1, span // (count - 1))
    return [first + timedelta(days=k) for k in range(0, span + 1, step)]


def _swatch(colour: str) -> str:
    # an SVG square, not a styled span: the app's CSP allows no inline style
    return f'<svg class="swatch" viewBox="0 0 10 10" aria-hidden="true"><rect width="10" height="10" fill="{colour}"/></svg>'
