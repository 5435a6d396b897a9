"""How learners pay: one gateway per payment method, chosen from `registry`."""
