"""Reports to accreditors and boards, and the credit dashboard.

No models: every file is built from the records of the earlier steps (activities,
integrity, credits, evaluations) by plain functions that return bytes or text,
each with a check that lists what blocks the file or deserves a second look.
"""
