"""select() helpers taking a Session; they never commit."""
