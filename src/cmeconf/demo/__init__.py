"""Demo data: a realistic provider and annual meeting to try cmeconf and to benchmark it."""
