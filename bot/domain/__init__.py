"""The domain core: filings, target values, frameworks and validation. No Telegram here."""
