"""API routes of the tasks area (to be built)."""
