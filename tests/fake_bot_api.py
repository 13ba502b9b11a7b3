"""A fake Telegram Bot API for offline tests: updates in, every method call recorded.

Three pieces, usable together or apart (a load test can reuse all of them):

* :class:`FakeTelegram` — the state and the methods: a queue of updates to deliver
  (long polling with ``getUpdates``, or POSTed to a webhook), the messages the bot sent
  and edited, every call with its parameters and uploaded files, the files users sent
  (``getFile`` and the download from ``/file/bot<token>/<path>``). It checks what real
  Telegram checks and answers errors the same way (HTML that does not parse, a text over
  4096 characters, callback data over 64 bytes, a query answered twice, an edit that
  changes nothing, a photo too tall).
* :class:`FakeBotAPIServer` — that fake behind HTTP on 127.0.0.1 (a thread per request),
  at ``http://127.0.0.1:<port>/bot<token>/<method>``, for the real bot to reach through
  ``TELEGRAM_API_URL``.
* :class:`FakeRequest` — that fake as a PTB ``BaseRequest``, no HTTP at all.

:class:`Person` drives one user's chat: ``send("/new")``, ``press("2027")``, then
``await expect("项目名称")`` polls the recorded calls (a short loop, no long sleeps).
"""

from __future__ import annotations

import asyncio
import html
import json
import re
import sys
import threading
import time
import urllib.request
from dataclasses import dataclass, field
from email.parser import BytesParser
from email.policy import HTTP
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qsl, unquote

from telegram.request import BaseRequest

TOKEN = "123456:TEST-fake-token-abcdefghijklmnop"
BOT_USER = {"id": 123456, "is_bot": True, "first_name": "绩效助手", "username": "jixiao_test_bot",
            "can_join_groups": True, "can_read_all_group_messages": False, "supports_inline_queries": False}
SENDS = ("sendMessage", "editMessageText", "editMessageReplyMarkup", "sendDocument", "sendPhoto")
TEXT_FIELDS = {"text", "caption", "callback_query_id", "url", "secret_token", "description", "short_description",
               "name", "parse_mode", "inline_message_id", "language_code", "ip_address", "filename"}
TAGS = {"b", "strong", "i", "em", "u", "ins", "s", "strike", "del", "span", "tg-spoiler", "a", "tg-emoji", "code",
        "pre", "blockquote"}
TOKEN_RE = re.compile(r"<(/?)([a-zA-Z][\w-]*)((?:\s[^<>]*)?)>|&(?:lt|gt|amp|quot|#\d+|#x[0-9a-fA-F]+);|[<>&]")


class APIError(Exception):
    def __init__(self, code: int, description: str, **parameters):
        super().__init__(description)
        self.code, self.description, self.parameters = code, description, parameters


def check_html(text: str) -> str:
    """The text Telegram shows for ``text`` in parse_mode HTML; APIError where Telegram refuses it."""
    stack = []
    for match in TOKEN_RE.finditer(text):
        token = match[0]
        if token in "<>&":
            raise APIError(400, f"Bad Request: can't parse entities: unescaped {token!r} at offset {match.start()}")
        if not token.startswith("<"):
            continue
        name = match[2].lower()
        if name not in TAGS:
            raise APIError(400, f"Bad Request: can't parse entities: Unsupported start tag \"{name}\" at byte offset {match.start()}")
        if match[1]:
            if not stack or stack.pop() != name:
                raise APIError(400, f"Bad Request: can't parse entities: Unexpected end tag at byte offset {match.start()}")
        else:
            stack.append(name)
    if stack:
        raise APIError(400, f"Bad Request: can't parse entities: Can't find end tag corresponding to start tag \"{stack[-1]}\"")
    return html.unescape(re.sub(r"<[^>]*>", "", text))


def utf16(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


@dataclass
class Call:
    """One Bot API call as the fake received it."""

    method: str
    params: dict
    files: dict = field(default_factory=dict)  # part name → (filename, bytes)
    result: object = None
    error: str | None = None

    @property
    def ok(self) -> bool:
        """Answered, and without an error."""
        return self.result is not None and self.error is None

    @property
    def chat_id(self):
        return self.params.get("chat_id")

    @property
    def text(self) -> str:
        """What the user sees (markup parsed), or the file names."""
        if "text" in self.params:
            return html.unescape(re.sub(r"<[^>]*>", "", str(self.params["text"])))
        return " ".join(name for name, _ in self.files.values())


class FakeTelegram:
    """The Bot API's state for one bot, safe to use from several threads."""

    def __init__(self, token: str = TOKEN, bot: dict | None = None):
        self.token = token
        self.bot = dict(bot or BOT_USER)
        self.cond = threading.Condition()
        self.updates: list[dict] = []
        self.next_update_id = 1
        self.calls: list[Call] = []
        self.chats: dict[int, dict] = {}
        self.messages: dict[tuple[int, int], dict] = {}
        self.message_ids: dict[int, int] = {}
        self.answered: dict[str, int] = {}  # callback query id → how often answered
        self.pushed_queries: list[str] = []
        self.failures: dict[str, list[APIError]] = {}
        self.commands: dict = {}
        self.allowed_updates: list[str] | None = None
        self.webhook: dict | None = None
        self.stopped = False
        self.files: dict[str, tuple[str, bytes, int]] = {}  # file_id → (file_path, bytes, reported size)

    # ------------------------------------------------------------------ making updates
    def user(self, user_id: int, first_name: str = "张三", **extra) -> dict:
        return {"id": user_id, "is_bot": False, "first_name": first_name, "language_code": "zh-hans", **extra}

    def group(self, chat_id: int = -1001234567890, title: str = "预算科") -> dict:
        return {"id": chat_id, "type": "supergroup", "title": title}

    def push(self, payload: dict) -> dict:
        with self.cond:
            update = {"update_id": self.next_update_id, **payload}
            self.next_update_id += 1
            self.updates.append(update)
            self.cond.notify_all()
            return update

    def message(self, user: dict, text: str, chat: dict | None = None) -> dict:
        """``user`` writes ``text`` (in their private chat unless ``chat`` is given)."""
        with self.cond:
            chat = chat or {"id": user["id"], "type": "private", "first_name": user["first_name"]}
            self.chats[chat["id"]] = chat
            msg = {"message_id": self._message_id(chat["id"]), "from": user, "chat": chat, "date": int(time.time()), "text": text}
            if text.startswith("/"):
                msg["entities"] = [{"type": "bot_command", "offset": 0, "length": utf16(text.split()[0])}]
            self.messages[(chat["id"], msg["message_id"])] = msg
        return self.push({"message": msg})

    def document(self, user: dict, filename: str, data: bytes, *, mime_type: str = "application/pdf",
                 file_size: int | None = None) -> dict:
        """``user`` sends a file in their private chat (an ``image/`` type: as a photo;
        ``file_size``: what Telegram reports, the real size by default; a larger one makes
        ``getFile`` refuse it as Telegram does)."""
        with self.cond:
            chat = {"id": user["id"], "type": "private", "first_name": user["first_name"]}
            self.chats[chat["id"]] = chat
            file_id = f"BQAC{len(self.files) + 1:04d}"
            size = len(data) if file_size is None else file_size
            self.files[file_id] = (f"documents/file_{len(self.files) + 1}.{filename.rsplit('.', 1)[-1]}", data, size)
            document = {"file_id": file_id, "file_unique_id": f"u{file_id}", "file_name": filename,
                        "mime_type": mime_type, "file_size": size}
            msg = {"message_id": self._message_id(chat["id"]), "from": user, "chat": chat, "date": int(time.time()),
                   "document": document}
            if mime_type.startswith("image/"):  # sent as a photo: sizes, no file name
                del msg["document"]
                msg["photo"] = [{"file_id": file_id, "file_unique_id": f"u{file_id}", "width": 1280, "height": 960,
                                 "file_size": size}]
            self.messages[(chat["id"], msg["message_id"])] = msg
        return self.push({"message": msg})

    def download(self, file_path: str) -> bytes | None:
        """The bytes at ``/file/bot<token>/<file_path>`` (recorded as a call), None if there are none."""
        call = Call("download", {"file_path": file_path})
        with self.cond:
            self.calls.append(call)
            found = next((data for path, data, _ in self.files.values() if path == file_path), None)
            call.result = True if found is not None else None
            call.error = None if found is not None else "Not Found"
            self.cond.notify_all()
        return found

    def edit(self, user: dict, update: dict, text: str) -> dict:
        """``user`` edits the message of ``update`` to ``text``."""
        msg = {**update["message"], "text": text, "edit_date": int(time.time())}
        return self.push({"edited_message": msg})

    def callback(self, user: dict, message: dict, data: str) -> dict:
        with self.cond:
            query_id = f"q{self.next_update_id}"
            self.pushed_queries.append(query_id)
        chat_instance = f"ci{message['chat']['id']}"
        return self.push({"callback_query": {"id": query_id, "from": user, "message": message,
                                             "chat_instance": chat_instance, "data": data}})

    def press(self, user: dict, label: str, chat_id: int | None = None) -> dict:
        """``user`` presses the button labelled ``label`` (or containing it) in the newest keyboard."""
        with self.cond:
            msg = self.keyboard_message(chat_id or user["id"])
            assert msg is not None, f"no keyboard in chat {chat_id or user['id']}"
            buttons = [b for row in msg["reply_markup"]["inline_keyboard"] for b in row]
            found = [b for b in buttons if b["text"] == label] or [b for b in buttons if label in b["text"]]
            assert len(found) == 1, f"button {label!r} not (uniquely) in {[b['text'] for b in buttons]}"
            message = json.loads(json.dumps(msg))
        return self.callback(user, message, found[0]["callback_data"])

    def keyboard_message(self, chat_id: int) -> dict | None:
        """The newest message the bot sent to ``chat_id`` that has an inline keyboard."""
        with self.cond:
            mine = [m for (c, _), m in self.messages.items() if c == chat_id and m["from"]["id"] == self.bot["id"]]
            mine = [m for m in mine if m.get("reply_markup", {}).get("inline_keyboard")]
            return max(mine, key=lambda m: m["message_id"]) if mine else None

    def fail(self, method: str, description: str = "Bad Request: test failure", code: int = 400, times: int = 1) -> None:
        """The next ``times`` calls of ``method`` fail with this error."""
        with self.cond:
            self.failures.setdefault(method, []).extend(APIError(code, description) for _ in range(times))

    # ------------------------------------------------------------------ inspecting
    def mark(self) -> int:
        with self.cond:
            return len(self.calls)

    def sent(self, chat_id: int | None = None, since: int = 0, methods=SENDS) -> list[Call]:
        """Successful calls of ``methods`` to ``chat_id`` (any chat when None) since ``since``."""
        with self.cond:
            return [c for c in self.calls[since:] if c.method in methods and c.ok
                    and (chat_id is None or c.chat_id == chat_id)]

    def calls_to(self, method: str) -> list[Call]:
        with self.cond:
            return [c for c in self.calls if c.method == method]

    def unanswered_queries(self) -> list[str]:
        with self.cond:
            return [q for q in self.pushed_queries if self.answered.get(q, 0) != 1]

    def pending(self) -> list[dict]:
        """Updates not yet taken (long polling confirms by a higher offset; see :meth:`take`)."""
        with self.cond:
            return list(self.updates)

    def take(self) -> list[dict]:
        """All queued updates, removed from the queue (for feeding ``process_update`` directly)."""
        with self.cond:
            taken, self.updates = self.updates, []
            return taken

    async def until(self, predicate, timeout: float = 10.0, what: str = "condition"):
        """Polls ``predicate()`` every 10 ms until it is truthy; returns its value."""
        deadline = time.monotonic() + timeout
        while True:
            value = predicate()
            if value:
                return value
            if time.monotonic() > deadline:
                raise AssertionError(f"timed out waiting for {what}; last calls: {self._tail()}")
            await asyncio.sleep(0.01)

    def wait(self, predicate, timeout: float = 10.0, what: str = "condition"):
        """The same, blocking (for tests that do not share the bot's event loop)."""
        deadline = time.monotonic() + timeout
        with self.cond:
            while True:
                value = predicate()
                if value:
                    return value
                left = deadline - time.monotonic()
                if left <= 0:
                    raise AssertionError(f"timed out waiting for {what}; last calls: {self._tail()}")
                self.cond.wait(min(left, 0.05))

    def _tail(self) -> list:
        return [(c.method, c.chat_id, c.text[:60], c.error) for c in self.calls[-6:]]

    # ------------------------------------------------------------------ the API
    def call(self, method: str, params: dict, files: dict | None = None) -> tuple[int, dict]:
        """Runs one Bot API method: (HTTP status, JSON body). ``getUpdates`` may wait."""
        call = Call(method, dict(params), dict(files or {}))
        with self.cond:
            self.calls.append(call)
            self.cond.notify_all()
        try:
            with self.cond:
                queued = self.failures.get(method)
                if queued:
                    raise queued.pop(0)
            handler = getattr(self, f"api_{method}", None)
            if handler is None:
                raise APIError(404, "Not Found: method not found")
            result = handler(call.params, call.files)
        except APIError as error:
            with self.cond:
                call.error = error.description
                self.cond.notify_all()
            body = {"ok": False, "error_code": error.code, "description": error.description}
            if error.parameters:
                body["parameters"] = error.parameters
            return error.code, body
        with self.cond:
            call.result = result
            self.cond.notify_all()
        return 200, {"ok": True, "result": result}

    def api_getMe(self, p, f):
        return self.bot

    def api_getUpdates(self, p, f):
        offset, timeout = int(p.get("offset") or 0), float(p.get("timeout") or 0)
        limit = int(p.get("limit") or 100)
        deadline = time.monotonic() + min(timeout, 50)
        with self.cond:
            if self.webhook:
                raise APIError(409, "Conflict: can't use getUpdates method while webhook is active; use deleteWebhook to delete the webhook first")
            if "allowed_updates" in p:
                self.allowed_updates = p["allowed_updates"] or None
            if offset:
                self.updates = [u for u in self.updates if u["update_id"] >= offset]
            while True:
                ready = [u for u in self.updates if self._wanted(u)][:limit]
                left = deadline - time.monotonic()
                if ready or left <= 0 or self.stopped:
                    return ready
                self.cond.wait(min(left, 0.5))

    def _wanted(self, update: dict) -> bool:
        kind = next(k for k in update if k != "update_id")
        return self.allowed_updates is None or kind in self.allowed_updates

    def _message_id(self, chat_id: int) -> int:
        self.message_ids[chat_id] = self.message_ids.get(chat_id, 0) + 1
        return self.message_ids[chat_id]

    def _chat(self, p) -> dict:
        chat = self.chats.get(int(p.get("chat_id", 0)))
        if chat is None:
            raise APIError(400, "Bad Request: chat not found")
        return chat

    def _checked_markup(self, p) -> dict | None:
        markup = p.get("reply_markup")
        for row in (markup or {}).get("inline_keyboard", []):
            for button in row:
                data = button.get("callback_data")
                if not button.get("text") or data is not None and not 1 <= len(data.encode()) <= 64:
                    raise APIError(400, "Bad Request: BUTTON_DATA_INVALID")
        return markup

    def _checked_text(self, p) -> str:
        text = str(p.get("text") or "")
        shown = check_html(text) if str(p.get("parse_mode", "")).upper() == "HTML" else text
        if not shown.strip():
            raise APIError(400, "Bad Request: message text is empty")
        if utf16(shown) > 4096:
            raise APIError(400, "Bad Request: message is too long")
        return shown

    def _new_message(self, p, **content) -> dict:
        with self.cond:
            chat = self._chat(p)
            msg = {"message_id": self._message_id(chat["id"]), "from": self.bot, "chat": chat, "date": int(time.time()), **content}
            markup = self._checked_markup(p)
            if markup:
                msg["reply_markup"] = markup
            self.messages[(chat["id"], msg["message_id"])] = msg
            return msg

    def api_sendMessage(self, p, f):
        return self._new_message(p, text=self._checked_text(p))

    def _editable(self, p) -> dict:
        msg = self.messages.get((int(p.get("chat_id", 0)), int(p.get("message_id", 0))))
        if msg is None or msg["from"]["id"] != self.bot["id"]:
            raise APIError(400, "Bad Request: message to edit not found")
        return msg

    def api_editMessageText(self, p, f):
        text, markup = self._checked_text(p), self._checked_markup(p)
        with self.cond:
            msg = self._editable(p)
            if msg.get("text") == text and msg.get("reply_markup") == markup:
                raise APIError(400, "Bad Request: message is not modified: specified new message content and reply markup are exactly the same as a current content and reply markup of the message")
            msg.update(text=text, edit_date=int(time.time()))
            msg.pop("reply_markup", None)
            if markup:
                msg["reply_markup"] = markup
            return msg

    def api_editMessageReplyMarkup(self, p, f):
        markup = self._checked_markup(p)
        with self.cond:
            msg = self._editable(p)
            if msg.get("reply_markup") == markup:
                raise APIError(400, "Bad Request: message is not modified: specified new message content and reply markup are exactly the same as a current content and reply markup of the message")
            msg.pop("reply_markup", None)
            if markup:
                msg["reply_markup"] = markup
            return msg

    def api_answerCallbackQuery(self, p, f):
        query_id = str(p.get("callback_query_id"))
        if utf16(str(p.get("text") or "")) > 200:
            raise APIError(400, "Bad Request: MESSAGE_TOO_LONG")
        with self.cond:
            if self.answered.get(query_id):
                raise APIError(400, "Bad Request: query is too old and response timeout expired or query ID is invalid")
            self.answered[query_id] = self.answered.get(query_id, 0) + 1
        return True

    def _upload(self, p, f, field_name: str) -> tuple[str, bytes]:
        ref = p.get(field_name)
        part = ref.removeprefix("attach://") if isinstance(ref, str) and ref.startswith("attach://") else field_name
        if part not in f:
            raise APIError(400, f"Bad Request: there is no {field_name} in the request")
        return f[part]

    def api_sendDocument(self, p, f):
        name, data = self._upload(p, f, "document")
        doc = {"file_id": f"doc{len(self.calls)}", "file_unique_id": f"d{len(self.calls)}", "file_name": name, "file_size": len(data)}
        return self._new_message(p, document=doc)

    def api_sendPhoto(self, p, f):
        name, data = self._upload(p, f, "photo")
        if data[:8] != b"\x89PNG\r\n\x1a\n" and data[:2] != b"\xff\xd8":
            raise APIError(400, "Bad Request: IMAGE_PROCESS_FAILED")
        width, height = (int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")) if data[:1] == b"\x89" else (1, 1)
        if width + height > 10000 or max(width, height) > 20 * min(width, height):
            raise APIError(400, "Bad Request: PHOTO_INVALID_DIMENSIONS")
        size = {"file_id": f"ph{len(self.calls)}", "file_unique_id": f"p{len(self.calls)}", "width": width, "height": height, "file_size": len(data)}
        return self._new_message(p, photo=[size])

    def api_getFile(self, p, f):
        file_id = p.get("file_id")
        with self.cond:
            if file_id not in self.files:
                raise APIError(400, "Bad Request: invalid file_id")
            path, _, size = self.files[file_id]
        if size > 20 * 1024 * 1024:  # bots may download 20 MB at most
            raise APIError(400, "Bad Request: file is too big")
        return {"file_id": file_id, "file_unique_id": f"u{file_id}", "file_size": size, "file_path": path}

    def api_sendChatAction(self, p, f):
        self._chat(p)
        return True

    def api_setMyCommands(self, p, f):
        commands = p.get("commands") or []
        for command in commands:
            if not re.fullmatch(r"[a-z0-9_]{1,32}", command.get("command", "")) or not 1 <= len(command.get("description", "")) <= 256:
                raise APIError(400, "Bad Request: BOT_COMMAND_INVALID")
        scope = json.dumps(p.get("scope") or {"type": "default"}, sort_keys=True)
        with self.cond:
            self.commands[scope] = commands
        return True

    def api_deleteMyCommands(self, p, f):
        return True

    def api_setWebhook(self, p, f):
        with self.cond:
            self.webhook = {"url": p["url"], "secret_token": p.get("secret_token"), "allowed_updates": p.get("allowed_updates")}
            if p.get("drop_pending_updates"):
                self.updates = []
            self.cond.notify_all()
        return True

    def api_deleteWebhook(self, p, f):
        with self.cond:
            self.webhook = None
            if p.get("drop_pending_updates"):
                self.updates = []
        return True

    def api_getWebhookInfo(self, p, f):
        with self.cond:
            return {"url": (self.webhook or {}).get("url", ""), "has_custom_certificate": False,
                    "pending_update_count": len(self.updates)}

    def api_close(self, p, f):
        return True

    def api_logOut(self, p, f):
        return True


# ------------------------------------------------------------------ HTTP
def decode_params(fields: dict[str, str]) -> dict:
    """Form fields as PTB sends them (non-strings JSON-encoded) → Python values."""
    params = {}
    for name, raw in fields.items():
        if name in TEXT_FIELDS:
            params[name] = raw
            continue
        try:
            params[name] = json.loads(raw)
        except ValueError:
            params[name] = raw
    return params


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: "_Server"

    def log_message(self, *args) -> None:  # keep test output quiet
        pass

    def do_GET(self) -> None:
        self.do_POST()

    def do_POST(self) -> None:
        fake = self.server.fake
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        path, _, query = self.path.partition("?")
        download = re.fullmatch(r"/file/bot([^/]+)/(.+)", unquote(path))  # httpx sends the token's ":" as %3A
        if download is not None:
            self._send_file(fake.download(download[2]) if download[1] == fake.token else None)
            return
        match = re.fullmatch(r"/bot([^/]+)/(\w+)", path)
        if match is None or match[1] != fake.token:
            status, payload = (401, {"ok": False, "error_code": 401, "description": "Unauthorized"}) if match else \
                (404, {"ok": False, "error_code": 404, "description": "Not Found"})
        else:
            fields, files = self._parse(body, query)
            status, payload = fake.call(match[2], decode_params(fields), files)
        data = json.dumps(payload, ensure_ascii=False).encode()
        try:
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)
        except OSError:  # the client went away (a killed bot's pending getUpdates)
            self.close_connection = True

    def _send_file(self, data: bytes | None) -> None:
        self.send_response(200 if data is not None else 404)
        self.send_header("Content-Type", "application/octet-stream")
        self.send_header("Content-Length", str(len(data or b"")))
        self.end_headers()
        self.wfile.write(data or b"")

    def _parse(self, body: bytes, query: str) -> tuple[dict, dict]:
        kind = self.headers.get("Content-Type", "")
        fields, files = dict(parse_qsl(query)), {}
        if kind.startswith("application/json") and body:
            fields.update({k: v if isinstance(v, str) else json.dumps(v) for k, v in json.loads(body).items()})
        elif kind.startswith("multipart/form-data"):
            message = BytesParser(policy=HTTP).parsebytes(b"Content-Type: " + kind.encode() + b"\r\n\r\n" + body)
            for part in message.iter_parts():
                name = part.get_param("name", header="content-disposition")
                if part.get_filename() is not None:
                    files[name] = (part.get_filename(), part.get_payload(decode=True))
                else:
                    fields[name] = part.get_payload(decode=True).decode("utf-8")
        elif body:
            fields.update(parse_qsl(body.decode("utf-8"), keep_blank_values=True))
        return fields, files


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    fake: FakeTelegram

    def handle_error(self, request, client_address) -> None:
        if not isinstance(sys.exc_info()[1], ConnectionError):  # a killed client is expected here
            super().handle_error(request, client_address)


class FakeBotAPIServer:
    """:class:`FakeTelegram` over HTTP on 127.0.0.1; delivers updates to a webhook when one is set."""

    def __init__(self, fake: FakeTelegram | None = None, host: str = "127.0.0.1", port: int = 0):
        self.fake = fake or FakeTelegram()
        self.httpd = _Server((host, port), _Handler)
        self.httpd.fake = self.fake
        self.threads: list[threading.Thread] = []

    @property
    def url(self) -> str:
        host, port = self.httpd.server_address[:2]
        return f"http://{host}:{port}"

    @property
    def api_url(self) -> str:
        """What ``TELEGRAM_API_URL`` should be."""
        return f"{self.url}/bot"

    def start(self) -> FakeBotAPIServer:
        for target in (self.httpd.serve_forever, self._deliver):
            thread = threading.Thread(target=target, daemon=True, name=f"fake-bot-api-{target.__name__}")
            thread.start()
            self.threads.append(thread)
        return self

    def stop(self) -> None:
        with self.fake.cond:
            self.fake.stopped = True
            self.fake.cond.notify_all()
        self.httpd.shutdown()
        self.httpd.server_close()
        for thread in self.threads:
            thread.join(timeout=5)

    def __enter__(self) -> FakeBotAPIServer:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    def _deliver(self) -> None:
        """POSTs queued updates to the webhook, one at a time, as Telegram does."""
        fake = self.fake
        while True:
            with fake.cond:
                while not fake.stopped and not (fake.webhook and fake.updates):
                    fake.cond.wait(0.5)
                if fake.stopped:
                    return
                update, hook = fake.updates[0], dict(fake.webhook)
            request = urllib.request.Request(hook["url"], data=json.dumps(update).encode(), method="POST",
                                             headers={"Content-Type": "application/json"})
            if hook.get("secret_token"):
                request.add_header("X-Telegram-Bot-Api-Secret-Token", hook["secret_token"])
            try:
                with urllib.request.urlopen(request, timeout=10) as response:
                    delivered = response.status == 200
            except OSError:
                delivered = False
            with fake.cond:
                if delivered and fake.updates and fake.updates[0] is update:
                    fake.updates.pop(0)
                fake.cond.notify_all()
            if not delivered:
                time.sleep(0.1)


class FakeRequest(BaseRequest):
    """PTB's HTTP layer replaced by direct calls into a :class:`FakeTelegram`."""

    def __init__(self, fake: FakeTelegram):
        self.fake = fake

    @property
    def read_timeout(self) -> float | None:
        return 1.0

    async def initialize(self) -> None:
        pass

    async def shutdown(self) -> None:
        pass

    async def do_request(self, url, method, request_data=None, read_timeout=None, write_timeout=None,
                         connect_timeout=None, pool_timeout=None) -> tuple[int, bytes]:
        download = re.search(r"/file/bot([^/]+)/(.+)$", unquote(url))
        if download is not None:  # a file users sent, fetched by File.download_*
            data = self.fake.download(download[2]) if download[1] == self.fake.token else None
            return (200, data) if data is not None else (404, b"Not Found")
        params = request_data.parameters if request_data else {}
        files = {}
        if request_data is not None and request_data.contains_files:
            for name, (filename, content, _mime) in request_data.multipart_data.items():
                files[name] = (filename, content if isinstance(content, bytes) else content.read())
        status, payload = self.fake.call(url.rsplit("/", 1)[1], json.loads(json.dumps(params)), files)
        return status, json.dumps(payload).encode()


# ------------------------------------------------------------------ a person in a chat
class Person:
    """One Telegram user talking to the bot in their private chat."""

    def __init__(self, fake: FakeTelegram, user_id: int, first_name: str = "张三", **extra):
        self.fake = fake
        self.user = fake.user(user_id, first_name, **extra)
        self.chat_id = user_id
        self.since = fake.mark()

    def send(self, text: str) -> dict:
        self.since = self.fake.mark()
        return self.fake.message(self.user, text)

    def press(self, label: str) -> dict:
        self.since = self.fake.mark()
        return self.fake.press(self.user, label, self.chat_id)

    def send_file(self, filename: str, data: bytes, **options) -> dict:
        self.since = self.fake.mark()
        return self.fake.document(self.user, filename, data, **options)

    def replies(self, since: int | None = None) -> list[Call]:
        """What the bot sent to this chat since the last send/press."""
        return self.fake.sent(self.chat_id, self.since if since is None else since)

    def seen(self, since: int | None = None) -> str:
        return "\n".join(c.text for c in self.replies(since))

    def _found(self, needles):
        text = self.seen()
        return text if any(n in text for n in needles) else None

    async def expect(self, *needles: str, timeout: float = 10.0) -> str:
        """Waits until the bot's replies since the last action contain one of ``needles``."""
        return await self.fake.until(lambda: self._found(needles), timeout, f"{needles} in chat {self.chat_id}")

    def expect_now(self, *needles: str, timeout: float = 10.0) -> str:
        """The same, blocking."""
        return self.fake.wait(lambda: self._found(needles), timeout, f"{needles} in chat {self.chat_id}")


# ------------------------------------------------------------------ a whole draft, as a person does it
GOAL = "确保工伤认定和劳动能力鉴定工作有序开展。全年案件文书寄送量在18000件左右，完成鉴定案件不少于3300件。"
FACTS = (  # (action, argument, what the bot asks next): the path of tests/test_conversation.py fill_facts
    ("send", "/new", "预算年度"),
    ("press", "2027年（2026版表格）", "项目名称是什么"),
    ("send", "{project}", "主管部门是哪个单位"),
    ("send", "上海市松江区人力资源和社会保障局", "实施单位是哪个单位"),
    ("send", "上海市松江区社会保障服务中心", "项目类别是什么"),
    ("press", "特定目标类", "项目性质是什么"),
    ("press", "其他经常性项目", "计划起止日期"),
    ("press", "全年：2027-01-01 至 2027-12-31", "年度资金申请总额"),
    ("send", "711000", "当年财政拨款"),
    ("send", "/skip", "年度总体目标"),
    ("send", GOAL, "相似的往年项目"),
)


async def _nothing() -> None:
    pass


async def act(person: Person, action: str, argument: str, *needles: str, settle=_nothing) -> str:
    """Sends or presses, lets the bot work (``settle``), waits for one of ``needles``."""
    getattr(person, action)(argument)
    await settle()
    return await person.expect(*needles)


async def fill_facts(person: Person, settle=_nothing, project: str = "工伤鉴定", steps: int = len(FACTS),
                     type_year: bool = False) -> str:
    """The first ``steps`` steps of :data:`FACTS` (``type_year``: type 2027 rather than press today's button)."""
    seen = ""
    for action, argument, needle in FACTS[:steps]:
        if type_year and argument.startswith("2027年"):
            action, argument = "send", "2027"
        seen = await act(person, action, argument.format(project=project), needle, settle=settle)
    return seen


async def finish_draft(person: Person, settle=_nothing) -> str:
    """From the proposal: take it all, accept the list (deleting refused values), confirm; the final replies."""
    await act(person, "press", "全部采用", "指标（", settle=settle)
    for _ in range(60):
        seen = await act(person, "press", "全部确认", "请检查整张表", "项的值需要修改", settle=settle)
        if "请检查整张表" in seen:
            break
        number = seen.split("还不能确认：第 ")[-1].split(" 项")[0].split("、")[0]
        await act(person, "send", f"删 {number}", "已删除", settle=settle)
    await act(person, "press", "确认完成", "已完成", settle=settle)
    await person.fake.until(lambda: len(person.fake.sent(person.chat_id, person.since, ("sendDocument", "sendPhoto"))) >= 2,
                            what="the exported files")
    return person.seen()


def draft_of(data_dir, user_id: int):
    """The Telegram user's current draft, read from the store as a restarted bot would."""
    from jixiao.store.drafts import DraftStore

    store = DraftStore(data_dir)
    try:
        user = f"tg:{user_id}"
        return store.draft(user, store.session(user).current)
    finally:
        store.close()
