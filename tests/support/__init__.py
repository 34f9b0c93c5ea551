"""Helpers shared by the tests and the benchmarks; not part of the product (not in the wheel).

- ``synthetic``: BlazePose landmark trajectories generated from stick-figure
  poses, with the exact reps and holds they contain.
"""
