"""Tables of the outcomes app (arriving with its issue)."""
