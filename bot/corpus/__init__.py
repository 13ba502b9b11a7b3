"""The corpus of past filings: reading seed text files and the bundled corpus."""
