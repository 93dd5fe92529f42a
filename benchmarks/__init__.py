"""Benchmarks of rightsgraph: a synthetic corpus generator and the benchmark commands.

Run from the repository root:

    python -m benchmarks --quick --no-results   # every benchmark, tiny sizes
    python -m benchmarks                        # every benchmark, full sizes, into RESULTS.md
    python -m benchmarks.generate --seed 7 --out /tmp/corpus
    python -m benchmarks.load_bench
"""
