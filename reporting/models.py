"""Tables of the reporting app (arriving with its issue)."""
