"""The benchmark harness (see README.md); run it with `benchmarks/run`."""
