"""HTTP file serving: screenshots (and media, registered by their own modules)."""
