"""Benchmarks: one command each (`python -m bench.<name>`), printing ratios and peak memory."""
