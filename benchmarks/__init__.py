"""Benchmarks: generators of realistic policies and runners that report times as ratios to a reference."""
