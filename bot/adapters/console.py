"""The console chat: the same engine in a terminal, no Telegram token needed.

Buttons print as numbered options; typing the number or the label presses it. When
standard input is not a terminal, each line is one message, so a conversation can be
scripted: ``printf '/new\n2027\n' | jixiao chat``. ``/import PATH`` sends a file (a PDF, an
.xlsx, text or JSON) as a Telegram user sends a document. A reply meant for another user (the
drafter of a table this user reviewed) is shown as such — "（发给 tg:1001）" — never as if
it were said to this user. Bytes that are not UTF-8 are replaced, not stored.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TextIO

from jixiao.bot.conversation.engine import Engine, Input, Upload
from jixiao.bot.conversation.replies import Reply
from jixiao.bot.corpus.importer import import_file
from jixiao.bot.texts import render_plain


class ConsoleChat:
    def __init__(self, engine: Engine, user: str, exports: Path, out: TextIO | None = None):
        self.engine = engine
        self.user = user
        self.exports = exports
        self.out = out or sys.stdout
        self.buttons: Reply | None = None  # the last reply that had buttons

    def show(self, replies: list[Reply]) -> None:
        for reply in replies:
            if reply.to not in (None, self.user):  # a notice for someone else: say whom
                print(render_plain("console.to_other", user=reply.to), file=self.out)
                print(reply.plain, file=self.out)
                print(file=self.out)
                continue
            print(reply.plain, file=self.out)
            listed = [key for key, choice in self.keys(reply) if self.shown(choice.label, reply.plain)]
            for key, choice in self.keys(reply):
                if len(listed) < 3 or key not in listed:
                    print(f"  [{key}] {choice.label}", file=self.out)
            if len(listed) >= 3:  # a list the text shows already: its numbers, not the list twice
                print("  " + render_plain("console.listed_above", first=listed[0], last=listed[-1]), file=self.out)
            for attachment in reply.files:
                self.save(attachment)
            print(file=self.out)
            if reply.choices:
                self.buttons = reply

    def save(self, attachment) -> None:
        """Writes a file of the finished table into ``exports``; a failure is said, not raised."""
        if attachment.data is None:  # rendering failed; the table is above
            if attachment.refusal is not None:  # and why, when the user can do something about it
                print(attachment.refusal.plain, file=self.out)
            return
        path = self.exports / attachment.filename.replace("/", "_")
        try:
            self.exports.mkdir(parents=True, exist_ok=True)
            path.write_bytes(attachment.data)
        except OSError as error:  # a name too long for the file system, a full disk …
            print(render_plain("console.file_failed", name=path.name, error=error.strerror or error), file=self.out)
            return
        print(f"  📎 {path}", file=self.out)

    @staticmethod
    def shown(label: str, text: str) -> bool:
        """Whether a button's label (cut with … on a phone) is a line of the text above it."""
        label = label.removesuffix("…")
        return len(label) >= 4 and any(line.startswith(label) for line in text.splitlines())

    @staticmethod
    def keys(reply: Reply) -> list[tuple[str, object]]:
        """What to type for each option: its own key, else its position."""
        return [(choice.key or str(i), choice) for i, choice in enumerate(reply.choices, 1)]

    def to_input(self, line: str) -> Input:
        """A typed line: a button when it is an option's key (its number) or label, else text."""
        text = line.strip()
        if self.buttons is not None and not text.startswith("/"):
            for key, choice in self.keys(self.buttons):
                if text in (key, choice.label):
                    return Input(choice.value, token=self.buttons.token)
        return Input(line)

    @staticmethod
    def upload(line: str) -> Input | None:
        """``/import PATH``: the file read from disk (as Telegram's adapter downloads a document)."""
        command, _, argument = line.strip().partition(" ")
        path = argument.strip().strip("'\"")
        if command.lower() != "/import" or not path:
            return None  # a bare /import: the engine says how
        report = import_file(Path(path).expanduser())
        return Input(upload=Upload(Path(path).name, report=report))

    def send(self, line: str) -> list[Reply]:
        inp = self.upload(line) or self.to_input(line)
        self.buttons = None
        replies = self.engine.handle(self.user, inp)
        self.show(replies)
        return replies

    def run(self, stdin: TextIO | None = None) -> None:
        stdin = stdin or sys.stdin
        if hasattr(stdin, "reconfigure"):  # bytes that are not UTF-8 become U+FFFD, not a crash
            stdin.reconfigure(errors="replace")
        interactive = stdin.isatty()
        print(render_plain("console.quit_hint"), file=self.out)
        self.send("/start")
        while True:
            if interactive:
                try:
                    line = input("> ")
                except (EOFError, KeyboardInterrupt):
                    print(file=self.out)
                    return
            else:
                line = stdin.readline()
                if not line:
                    return
                line = line.rstrip("\n")
                print(f"> {line}", file=self.out)
            if line.strip() in ("/quit", "/exit"):
                return
            self.send(line)
