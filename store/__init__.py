"""Persistence: the corpus of past filings and the users' drafts, in TinyDB files."""
