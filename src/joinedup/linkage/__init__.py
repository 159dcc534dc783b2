"""Probabilistic record linkage of person records (Splink 5): see docs/linkage.md."""
