"""API routes of the initiatives area (to be built)."""
