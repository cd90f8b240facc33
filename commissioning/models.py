"""Tables of the commissioning app (arriving with its issue)."""
