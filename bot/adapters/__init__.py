"""Thin adapters that carry engine replies to a channel: the console and Telegram."""
