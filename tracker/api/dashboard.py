"""API routes of the dashboard area (to be built)."""
