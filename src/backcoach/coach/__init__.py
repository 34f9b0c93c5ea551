"""Coaching logic: plans, the session engine, safety and progression rules. Pure, no I/O."""
