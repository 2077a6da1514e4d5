"""Benchmarks (``make bench``) and the synthetic store generator: development tools only.

Nothing here ships in the wheel (``pyproject.toml`` packages ``briefings*`` and ``bot*``).
"""
