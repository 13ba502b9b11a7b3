"""The drafting conversation: a table of steps over a persisted draft, no Telegram here.

``engine.Engine.handle(user, Input) -> list[Reply]`` loads the user's session, runs one
pure step ``(draft, input) -> (draft, replies)`` and saves what changed before the
replies go out, so an acknowledged answer is never lost.
"""
