"""Wiedergabeprotokoll (proof of play): intervals of what each display reported showing, and the report."""
