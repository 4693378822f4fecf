"""Benchmarks of microcert, run with ``make bench`` (see ``bench/README.md``).

``bench/run.py`` is the runner: it makes a dedicated database, hands it to each group of
measurements (a module of this package with a ``GROUP`` object), runs every measurement in a
fresh process, prints one table and merges the figures into ``var/bench/results.json``.
"""
