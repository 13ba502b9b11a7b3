"""Every user-facing text, as Markdown files (one ``## key`` per message); shipped as package data."""
