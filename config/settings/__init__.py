"""Settings package: base (shared), dev (local), test (pytest), production (deploy)."""
