"""Server-rendered SVG charts: the geometry in Python, the markup in templates
(`templates/sharing/_bar_chart.html`, `_region_map.html`). No script, no external asset; every
chart is shown with its data table.

The region map draws Yunnan's outline (the catalogue's static map) and one disc per 州/市 at
its seat, shaded on a five-step scale by the value: the repository has no 州/市 boundaries, so
the shading sits on the seats rather than on filled areas.
"""

from __future__ import annotations

from marketplace.catalogue.yunnan_map import HEIGHT, OUTLINE_POINTS, WIDTH, project
from marketplace.charts import _number, bar_chart, hbar_chart

__all__ = ["bar_chart", "hbar_chart", "region_map", "shade"]

# (lat, lng) of each 州/市's seat.
SEATS = {
    "530100": (25.04, 102.71),
    "530300": (25.49, 103.8),
    "530400": (24.35, 102.54),
    "530500": (25.11, 99.16),
    "530600": (27.34, 103.72),
    "530700": (26.86, 100.23),
    "530800": (22.83, 100.97),
    "530900": (23.88, 100.09),
    "532300": (25.03, 101.55),
    "532500": (23.36, 103.38),
    "532600": (23.37, 104.24),
    "532800": (22.01, 100.8),
    "532900": (25.61, 100.27),
    "533100": (24.43, 98.58),
    "533300": (25.82, 98.86),
    "533400": (27.83, 99.7),
}
# Five steps of the brand blue, light to dark; the first also marks "none".
SHADES = ["#e8eef7", "#bcd0ea", "#7fa6d6", "#3f74b8", "#1d4a85"]


def shade(value, peak) -> str:
    if not peak or not _number(value):
        return SHADES[0]
    step = min(int(_number(value) / _number(peak) * 4 + 0.999), 4)
    return SHADES[max(step, 1)]


def region_map(items: list[dict], *, value_key: str = "hours"):
    """[{code, name, <value_key>}] → the outline and one shaded disc per 州/市."""
    peak = max((_number(item[value_key]) for item in items), default=0)
    discs = []
    for item in items:
        lat, lng = SEATS[item["code"]]
        x, y = project(lng, lat)
        discs.append(
            {
                "x": x,
                "y": y,
                "name": item["name"],
                "value": item[value_key],
                "fill": shade(item[value_key], peak),
            }
        )
    legend = [
        {"fill": fill, "from": round(peak * i / 4, 1) if i else 0, "y": 20 + 22 * i}
        for i, fill in enumerate(SHADES)
    ]
    return {
        "width": WIDTH,
        "height": HEIGHT,
        "outline": OUTLINE_POINTS,
        "discs": discs,
        "legend": legend,
    }
