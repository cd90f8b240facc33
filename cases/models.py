"""Tables of the cases app (arriving with its issue)."""
