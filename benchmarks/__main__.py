"""Run every benchmark module (``benchmarks/bench_*.py``) and print its figures.

Usage: ``python -m benchmarks [NAME ...]`` where NAME filters modules by
substring (e.g. ``python -m benchmarks store web``).
"""

from __future__ import annotations

import importlib
import sys
import time
from pathlib import Path


def main(argv: list[str]) -> int:
    modules = sorted(p.stem for p in Path(__file__).parent.glob("bench_*.py"))
    selected = [m for m in modules if not argv or any(a in m for a in argv)]
    if not selected:
        print(f"no benchmark matches {argv}; available: {', '.join(modules)}")
        return 2
    for name in selected:
        print(f"\n=== {name} ===", flush=True)
        started = time.perf_counter()
        importlib.import_module(f"benchmarks.{name}").main()
        print(f"({name} took {time.perf_counter() - started:.1f} s)", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
