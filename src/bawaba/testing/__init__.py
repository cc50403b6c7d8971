"""Helpers for the test suite (not imported by the running platform)."""
