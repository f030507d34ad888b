"""Benchmarks for pyworker. Each benchmark is a module run as ``python -m bench.<name>``.

See ``bench/README.md`` for what each one measures and how to run it.
"""
