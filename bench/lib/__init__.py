"""Helpers for the benchmarks: settings, URLs and middleware for the benchmark server."""
