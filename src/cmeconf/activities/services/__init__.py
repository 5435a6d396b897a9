"""State changes of activities and their program: one function per change, each audited."""
