"""The Textual layer: everything that imports Textual lives under this package."""
