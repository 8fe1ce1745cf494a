"""A static SVG outline of Yunnan with a pin: a map without any external tile server."""

from __future__ import annotations

# The provincial border, simplified to ~50 points of (longitude, latitude), WGS-84.
OUTLINE = [
    (98.8, 28.9),
    (99.1, 29.25),
    (99.5, 28.6),
    (100.0, 28.2),
    (100.4, 27.9),
    (100.9, 27.9),
    (101.2, 27.3),
    (101.5, 26.6),
    (102.0, 26.2),
    (102.6, 26.5),
    (103.0, 27.1),
    (103.3, 27.6),
    (103.9, 28.0),
    (104.4, 28.0),
    (104.3, 27.3),
    (104.8, 26.7),
    (104.5, 25.9),
    (104.7, 25.2),
    (105.3, 24.9),
    (106.0, 24.7),
    (105.8, 24.0),
    (105.5, 23.3),
    (104.8, 23.1),
    (104.0, 22.8),
    (103.4, 22.8),
    (102.6, 22.7),
    (102.2, 22.4),
    (101.7, 22.0),
    (101.6, 21.2),
    (101.1, 21.5),
    (100.5, 21.5),
    (100.1, 21.7),
    (99.9, 22.1),
    (99.2, 22.1),
    (99.5, 22.9),
    (98.9, 23.2),
    (98.7, 23.9),
    (98.2, 24.1),
    (97.7, 23.9),
    (97.6, 24.5),
    (98.0, 24.8),
    (97.9, 25.3),
    (98.6, 25.9),
    (98.6, 26.6),
    (98.7, 27.5),
    (98.4, 27.6),
    (98.3, 28.2),
]
WEST, NORTH = 97.3, 29.5
SCALE = 40.0  # pixels per degree of longitude
# A degree of longitude near 25°N is about 0.906 of a degree of latitude.
Y_SCALE = SCALE / 0.906
WIDTH = round((106.3 - WEST) * SCALE)
HEIGHT = round((NORTH - 21.0) * Y_SCALE)


def project(lng: float, lat: float) -> tuple[float, float]:
    return round((lng - WEST) * SCALE, 1), round((NORTH - lat) * Y_SCALE, 1)


OUTLINE_POINTS = " ".join(f"{x},{y}" for x, y in (project(lng, lat) for lng, lat in OUTLINE))


def map_pin(lat: float | None, lng: float | None) -> dict | None:
    """Template data for the map: None when the listing has no coordinates."""
    if lat is None or lng is None:
        return None
    x, y = project(lng, lat)
    return {
        "x": x,
        "y": y,
        "width": WIDTH,
        "height": HEIGHT,
        "outline": OUTLINE_POINTS,
        "lat": lat,
        "lng": lng,
    }
