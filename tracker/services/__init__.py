"""Use cases: load via queries, decide via domain, write, commit once, then enqueue."""
