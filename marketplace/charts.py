"""Bar chart geometry for server-rendered SVG (the markup is in `templates/sharing/_bar_chart.html`
and `_hbar_chart.html`): plain arithmetic on (label, value) pairs, so the statistics pages and the
voucher programme dashboard draw the same charts without one importing the other."""

from __future__ import annotations

from decimal import Decimal


def _number(value) -> float:
    return float(value or 0)


def bar_chart(items: list[tuple[str, Decimal | int]], *, width: int = 640, height: int = 220):
    """Vertical bars: [(label, value)] → geometry for the template."""
    top, bottom, left = 16, 28, 48
    inner_h = height - top - bottom
    peak = max((_number(v) for _, v in items), default=0) or 1
    slot = (width - left) / max(len(items), 1)
    bars = []
    for index, (label, value) in enumerate(items):
        h = round(_number(value) / peak * inner_h, 1)
        x = round(left + index * slot + slot * 0.15, 1)
        bars.append(
            {
                "label": label,
                "value": value,
                "x": x,
                "y": round(top + inner_h - h, 1),
                "width": round(slot * 0.7, 1),
                "height": h,
                "label_x": round(x + slot * 0.35, 1),
            }
        )
    return {
        "width": width,
        "height": height,
        "bars": bars,
        "axis_y": top + inner_h,
        "left": left,
        "peak": peak,
        "peak_y": top,
        "label_y": height - 8,
    }


def hbar_chart(items: list[tuple[str, Decimal | int]], *, width: int = 640, row: int = 26):
    """Horizontal bars, one row per item, for ranked categories."""
    left = 170
    peak = max((_number(v) for _, v in items), default=0) or 1
    rows = []
    for index, (label, value) in enumerate(items):
        rows.append(
            {
                "label": label,
                "value": value,
                "y": index * row + 4,
                "text_y": index * row + row / 2 + 5,
                "width": round(_number(value) / peak * (width - left - 70), 1),
                "value_x": 0,
            }
        )
    for item in rows:
        item["value_x"] = round(left + item["width"] + 6, 1)
    return {"width": width, "height": max(len(rows), 1) * row + 8, "left": left, "rows": rows}
