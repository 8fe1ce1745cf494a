"""Benchmarks. `make bench` runs every bench/*.py; helpers live in bench/lib/ so they are not."""
