"""System settings: the key-value store of defaults an admin can change at run time."""
