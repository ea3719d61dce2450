"""Remote commands to displays: issuing, lifecycle, lockout, expiry and recovery."""
