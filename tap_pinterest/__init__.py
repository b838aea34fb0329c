"""Singer tap for the Pinterest REST API v5."""
