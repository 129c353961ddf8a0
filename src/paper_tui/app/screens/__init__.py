"""Screens: the main one and the help screen (triage dialogs live beside them)."""
