"""Benchmarks of rightsgraph: a synthetic corpus generator and load benchmarks.

Run from the repository root:

    python -m benchmarks.generate --seed 7 --out /tmp/corpus
    python -m benchmarks.load_bench
"""
