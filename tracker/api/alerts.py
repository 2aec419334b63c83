"""API routes of the alerts area (to be built)."""
