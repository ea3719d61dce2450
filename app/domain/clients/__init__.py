"""Displays (clients) and the room groups they belong to."""
