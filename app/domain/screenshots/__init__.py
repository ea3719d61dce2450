"""Screenshots displays send: decoding, retention on disk and the latest/priority state."""
