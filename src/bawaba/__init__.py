"""Bawaba: one portal, one account and one back office for every government service."""
