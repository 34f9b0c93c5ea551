"""Run every benchmark module (``benchmarks/bench_*.py``) and print its figures.

Usage: ``python -m benchmarks [--quick] [--tree PATH] [NAME ...]`` where NAME
filters modules by substring (e.g. ``python -m benchmarks store web``).
``--quick`` shortens the web and clinic benchmarks' phases; ``--tree PATH`` makes the web
benchmark measure another checkout's code (e.g. a ``git worktree`` of an older
commit, for before/after figures). Both reach the modules as ``BENCH_QUICK``
and ``BENCH_TREE`` in the environment.
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys
import time
from pathlib import Path


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks")
    parser.add_argument("names", nargs="*", help="run only modules whose name contains one")
    parser.add_argument("--quick", action="store_true", help="short web and clinic phases")
    parser.add_argument("--tree", type=Path, help="checkout whose code the web benchmark serves")
    options = parser.parse_args(argv)
    if options.quick:
        os.environ["BENCH_QUICK"] = "1"
    if options.tree:
        os.environ["BENCH_TREE"] = str(options.tree.resolve())
    modules = sorted(p.stem for p in Path(__file__).parent.glob("bench_*.py"))
    selected = [m for m in modules if not options.names or any(a in m for a in options.names)]
    if not selected:
        print(f"no benchmark matches {options.names}; available: {', '.join(modules)}")
        return 2
    for name in selected:
        print(f"\n=== {name} ===", flush=True)
        started = time.perf_counter()
        importlib.import_module(f"benchmarks.{name}").main()
        print(f"({name} took {time.perf_counter() - started:.1f} s)", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
