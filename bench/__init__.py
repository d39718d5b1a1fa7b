"""Benchmarks: `make bench` prints each figure as `name: value` on a line of its own."""
