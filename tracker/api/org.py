"""API routes of the org area (to be built)."""
