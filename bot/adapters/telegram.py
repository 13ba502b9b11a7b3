"""The Telegram bot: update → engine input → replies → Telegram calls.

The engine decides everything about the filing; this module only translates. Handlers:

=========  ==============  ===================================================
group -1   ``gate``        allowed users in private chats pass; others stop here
group 0    ``on_document`` a file (or photo) sent → its bytes (size checked first) → the engine
group 0    ``on_message``  a message or command → the engine → its replies
group 0    ``on_button``   a button → the engine, or a page turn (no engine call)
group 0    ``on_edited``   an edited message is not applied again: say so
errors     ``on_error``    log with the update id; tell the user the draft is safe
=========  ==============  ===================================================

Drafts are kept per Telegram *user* (``tg:<user id>``) in the engine's store, saved
before the replies leave, so a restart resumes at the same step. Every reply names its
recipient (``Reply.to``); it is sent to that user's private chat (whose id is the user
id) — the presser's own replies to ``update.effective_user``, a reviewer's notice to the
drafter — never to a chat taken from the pressed message. The engine runs in a
small thread pool (the final step renders the xlsx and PNG, ~0.4 s, which must not
stall other users); :class:`PerUserOrder` keeps each user's updates strictly in order.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections import OrderedDict
from concurrent.futures import ThreadPoolExecutor
from datetime import date
from typing import Callable

from jixiao.bot.adapters.telegram_config import TelegramConfig
from jixiao.bot.adapters.telegram_keyboards import CHOICE, PAGE, Keyboard, ShownKeyboards, decode
from jixiao.bot.adapters.telegram_logging import quote
from jixiao.bot.adapters.telegram_order import PerUserOrder
from jixiao.bot.adapters.telegram_text import split_html
from jixiao.bot.conversation.engine import Engine, Input, Upload
from jixiao.bot.conversation.replies import Attachment, Reply
from jixiao.bot.corpus.importer import MAX_IMPORT_BYTES
from jixiao.bot.texts import render_html, render_plain
from jixiao.bot.wiring import build_engine
from telegram import BotCommand, BotCommandScopeAllPrivateChats, LinkPreviewOptions, Message, Update
from telegram.constants import ChatType, ParseMode
from telegram.error import BadRequest, Forbidden, TelegramError
from telegram.ext import (
    AIORateLimiter,
    Application,
    ApplicationHandlerStop,
    CallbackQueryHandler,
    ContextTypes,
    Defaults,
    MessageHandler,
    TypeHandler,
    filters,
)
from telegram.request import BaseRequest

logger = logging.getLogger(__name__)

ALLOWED_UPDATES = [Update.MESSAGE, Update.EDITED_MESSAGE, Update.CALLBACK_QUERY]
COMMANDS = (  # the menu Telegram shows in private chats
    ("new", "tg.cmd_new"), ("drafts", "tg.cmd_drafts"), ("lookup", "tg.cmd_lookup"), ("show", "tg.cmd_show"),
    ("back", "tg.cmd_back"), ("skip", "tg.cmd_skip"), ("edit", "tg.cmd_edit"), ("cancel", "tg.cmd_cancel"),
    ("delete", "tg.cmd_delete"), ("share", "tg.cmd_share"), ("review", "tg.cmd_review"), ("import", "tg.cmd_import"),
    ("help", "tg.cmd_help"),
)
USER_PREFIX = "tg:"  # engine user keys of Telegram users: tg:<user id>
ENGINE_THREADS = 4  # engine calls at once (different users); each saves to its own user's file


def user_key(user_id: int) -> str:
    return f"{USER_PREFIX}{user_id}"


def chat_of(user: str | None) -> int | None:
    """The private chat of engine user ``user`` (``tg:<id>``), or None for a user of another channel."""
    if user is None or not user.startswith(USER_PREFIX) or not user[len(USER_PREFIX):].isdigit():
        return None
    return int(user[len(USER_PREFIX):])


class Refusals:
    """Whom we refused lately: one refusal per user per ``AGAIN_AFTER`` seconds, then silence."""

    #: Seconds before a refused user who writes again is told again.
    AGAIN_AFTER = 3600.0
    #: How many refused users are remembered (the oldest is forgotten first).
    SIZE = 10_000

    def __init__(self, clock: Callable[[], float] = time.monotonic):
        self.clock = clock
        self._when: OrderedDict[int, float] = OrderedDict()

    def first(self, user_id: int) -> bool:
        """True when ``user_id`` should be told (and remembers that they were)."""
        now = self.clock()
        last = self._when.get(user_id)
        if last is not None and now - last < self.AGAIN_AFTER:
            return False
        self._when[user_id] = now
        self._when.move_to_end(user_id)
        while len(self._when) > self.SIZE:
            self._when.popitem(last=False)
        return True


class TelegramBot:
    """The handlers, with what they share: the engine, the allow-list, the shown keyboards."""

    def __init__(self, engine: Engine, allowed_users: frozenset[int]):
        self.engine = engine
        self.allowed = frozenset(allowed_users)
        self.keyboards = ShownKeyboards()
        self.refusals = Refusals()
        self.executor = ThreadPoolExecutor(max_workers=ENGINE_THREADS, thread_name_prefix="engine")

    def install(self, app: Application) -> None:
        app.add_handler(TypeHandler(Update, self.gate), group=-1)
        app.add_handler(MessageHandler(filters.UpdateType.MESSAGE & (filters.Document.ALL | filters.PHOTO), self.on_document))
        app.add_handler(MessageHandler(filters.UpdateType.MESSAGE, self.on_message))
        app.add_handler(MessageHandler(filters.UpdateType.EDITED_MESSAGE, self.on_edited))
        app.add_handler(CallbackQueryHandler(self.on_button))
        app.add_error_handler(self.on_error)

    # ------------------------------------------------------------------ handlers
    async def gate(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Lets allowed users in private chats through; refuses or redirects everyone else."""
        user, chat, query = update.effective_user, update.effective_chat, update.callback_query
        if user is None or user.is_bot:
            raise ApplicationHandlerStop
        private = chat is not None and chat.type == ChatType.PRIVATE
        if user.id not in self.allowed:
            logger.info("event=refused update_id=%s user=%s chat_type=%s", update.update_id, user.id, chat and chat.type)
            if query is not None:
                await query.answer(render_plain("tg.refused_short", user_id=user.id), show_alert=True)
            elif private and update.message is not None and self.refusals.first(user.id):
                await context.bot.send_message(chat.id, render_html("tg.refused", name=user.full_name, user_id=user.id))
            raise ApplicationHandlerStop
        if not private:
            if query is not None:
                await query.answer(render_plain("tg.private_only_short"))
            elif update.message is not None and (update.message.text or "").startswith("/"):
                text = render_html("tg.private_only", name=user.full_name, bot=context.bot.username)
                await update.message.reply_text(text, do_quote=True)
            raise ApplicationHandlerStop

    async def on_message(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Passes a message (an answer or a command) to the engine and sends its replies."""
        replies = await self.ask_engine(update, Input(text=update.message.text or ""))
        await self.send(context.bot, update.effective_user.id, replies)

    async def on_document(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Downloads a file sent (unless Telegram says it is over the import limit) and passes
        its bytes to the engine, which reads it and answers (a photo of a table too: the engine
        says it cannot be read and what to send instead)."""
        message = update.message
        document = message.document or message.photo[-1]  # the largest size of a photo
        name = getattr(document, "file_name", None) or ("photo.jpg" if message.photo else "document")
        if document.file_size is not None and document.file_size > MAX_IMPORT_BYTES:
            upload = Upload(name, size=document.file_size)  # refused unread
        else:
            try:
                telegram_file = await context.bot.get_file(document.file_id)
                data = bytes(await telegram_file.download_as_bytearray())
            except TelegramError as error:
                logger.warning("event=download_failed update_id=%s error=%s", update.update_id, quote(str(error)))
                await context.bot.send_message(update.effective_user.id, render_html("tg.download_failed"))
                return
            upload = Upload(name, data=data, size=len(data))
        replies = await self.ask_engine(update, Input(upload=upload))
        await self.send(context.bot, update.effective_user.id, replies)

    async def on_button(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Passes a choice to the engine (answering the press), or turns a keyboard's page."""
        query = update.callback_query
        pressed = query.message if isinstance(query.message, Message) else None
        press = decode(query.data)
        if press is None or pressed is None:
            await query.answer(render_plain("tg.stale_button"))
            return
        if press.kind != CHOICE:
            if pressed.chat_id != update.effective_user.id:  # only the presser's own keyboards
                await query.answer(render_plain("tg.page_expired"))
                return
            await self.turn_page(query, pressed, press.token, press.number if press.kind == PAGE else None)
            return
        replies = await self.ask_engine(update, Input(token=press.token, choice=press.number))
        stale = bool(replies) and replies[0].stale
        await query.answer(render_plain("tg.stale_button") if stale else None)
        presser = update.effective_user.id
        own = pressed if pressed.chat_id == presser else None  # only the presser's own chat is redrawn
        await self.send(context.bot, presser, replies, pressed=own, index=press.number)

    async def on_edited(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Says that an edited message is not applied again (the answer was taken as first sent)."""
        await context.bot.send_message(update.effective_user.id, render_html("tg.edited_ignored"))

    async def on_error(self, update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Logs the failure with the update id; tells an allowed user that the draft is safe."""
        error = context.error
        update = update if isinstance(update, Update) else None
        user = update.effective_user if update else None
        logger.error("event=update_failed update_id=%s user=%s error=%s",
                     update.update_id if update else None, user.id if user else None, type(error).__name__, exc_info=error)
        chat = update.effective_chat if update else None
        if user is None or user.id not in self.allowed or chat is None or chat.type != ChatType.PRIVATE:
            return
        if isinstance(error, Forbidden):  # the user blocked the bot: nobody to tell
            return
        try:
            if update.callback_query is not None:
                await update.callback_query.answer()
        except TelegramError:
            pass  # answered already, or too old
        try:
            await context.bot.send_message(user.id, render_html("tg.error"))
        except TelegramError as failure:
            logger.warning("event=error_notice_failed update_id=%s error=%s", update.update_id, type(failure).__name__)

    # ------------------------------------------------------------------ engine
    async def ask_engine(self, update: Update, inp: Input) -> list[Reply]:
        """The engine's replies to ``inp``, computed in a worker thread (it saves to disk)."""
        started = time.perf_counter()
        user = user_key(update.effective_user.id)
        replies = await asyncio.get_running_loop().run_in_executor(self.executor, self._handle, user, inp)
        kind = "button" if inp.is_button else "document" if inp.upload is not None else "message"
        logger.info("event=handled update_id=%s user=%s kind=%s replies=%d engine_ms=%.1f", update.update_id,
                    update.effective_user.id, kind, len(replies), (time.perf_counter() - started) * 1000)
        return replies

    def _handle(self, user: str, inp: Input) -> list[Reply]:
        """Runs in a worker thread: the engine's step, then the files it attached (rendering
        an .xlsx and a PNG is slow, so it must not happen on the event loop)."""
        replies = self.engine.handle(user, inp)
        for reply in replies:
            for attachment in reply.files:
                attachment.data  # noqa: B018 - makes and keeps the bytes
        return replies

    # ------------------------------------------------------------------ sending
    async def send(self, bot, presser: int, replies: list[Reply], *, pressed: Message | None = None, index: int = 0) -> None:
        """Each reply to its recipient's chat; a list redrawn in place edits the presser's pressed message."""
        for reply in replies:
            chat_id = presser if reply.to is None else chat_of(reply.to)
            if chat_id is None:  # a user of the console: nothing to deliver here
                logger.warning("event=undeliverable to=%s", quote(reply.to))
                continue
            if chat_id != presser:
                await self.notify(bot, chat_id, reply)
                continue
            if reply.edit_in_place and pressed is not None and await self.edit(bot, pressed, reply, index):
                continue
            await self.send_reply(bot, chat_id, reply)

    async def notify(self, bot, chat_id: int, reply: Reply) -> None:
        """A notice for another user; if their chat cannot be reached, the presser's update still succeeds."""
        try:
            await self.send_reply(bot, chat_id, reply)
        except TelegramError as error:  # never talked to the bot, or blocked it
            logger.warning("event=notice_failed chat=%s error=%s", chat_id, quote(str(error)))

    async def send_reply(self, bot, chat_id: int, reply: Reply) -> None:
        keyboard = Keyboard.of(reply)
        parts = split_html(reply.html)
        for i, part in enumerate(parts):
            last = i == len(parts) - 1
            sent = await bot.send_message(chat_id, part, reply_markup=keyboard.markup() if keyboard and last else None)
            if last:
                self.keyboards.remember(chat_id, sent.message_id, keyboard)
        if keyboard is not None and not parts:  # buttons without text: Telegram needs some text
            logger.warning("event=buttons_without_text token=%s", reply.token)
        for attachment in reply.files:
            await self.send_file(bot, chat_id, attachment)

    async def send_file(self, bot, chat_id: int, attachment: Attachment) -> None:
        """An xlsx as a document, a PNG as a photo (as a document when Telegram refuses the photo)."""
        if attachment.data is None:  # rendering failed; the table is in the chat already
            if attachment.refusal is not None:  # and why, when the user can do something about it
                await self.send_reply(bot, chat_id, attachment.refusal)
            return
        if attachment.kind == "photo":
            try:
                await bot.send_photo(chat_id, attachment.data, filename=attachment.filename)
                return
            except BadRequest as error:  # e.g. PHOTO_INVALID_DIMENSIONS for a very tall table
                logger.warning("event=photo_refused file=%s error=%s", quote(attachment.filename), quote(error.message))
        await bot.send_document(chat_id, attachment.data, filename=attachment.filename)

    async def edit(self, bot, pressed: Message, reply: Reply, index: int) -> bool:
        """Redraws ``pressed`` as ``reply`` on the page that shows choice ``index``; False if it cannot."""
        parts = split_html(reply.html)
        if len(parts) != 1:
            return False
        keyboard = Keyboard.of(reply)
        markup = keyboard.markup(keyboard.page_of(index)) if keyboard else None
        try:
            await bot.edit_message_text(parts[0], chat_id=pressed.chat_id, message_id=pressed.message_id, reply_markup=markup)
        except BadRequest as error:
            if "not modified" not in error.message.lower():
                logger.warning("event=edit_failed chat=%s error=%s", pressed.chat_id, quote(error.message))
                return False
        self.keyboards.remember(pressed.chat_id, pressed.message_id, keyboard)
        return True

    async def turn_page(self, query, pressed: Message, token: str, page: int | None) -> None:
        """Shows another page of the pressed message's keyboard (``None``: the page label, nothing to do)."""
        keyboard = self.keyboards.get(pressed.chat_id, pressed.message_id)
        if keyboard is None or keyboard.token != token:
            await query.answer(render_plain("tg.page_expired"))
            return
        await query.answer()
        if page is None:
            return
        try:
            await query.edit_message_reply_markup(keyboard.markup(page))
        except BadRequest as error:
            if "not modified" not in error.message.lower():
                raise

    # ------------------------------------------------------------------ lifecycle
    async def post_init(self, app: Application) -> None:
        """Registers the commands menu (Chinese descriptions) for private chats."""
        commands = [BotCommand(name, render_plain(key)) for name, key in COMMANDS]
        await app.bot.set_my_commands(commands, scope=BotCommandScopeAllPrivateChats())
        logger.info("event=started bot=%s allowed_users=%d", app.bot.username, len(self.allowed))
        if not self.allowed:
            logger.warning("event=allow_list_empty msg=\"JIXIAO_ALLOWED_USERS is empty: everyone is refused\"")

    async def post_shutdown(self, app: Application) -> None:
        self.close()

    def close(self) -> None:
        """Waits for engine calls in progress, then closes the store."""
        self.executor.shutdown(wait=True)
        self.engine.store.close()


def build_application(
    config: TelegramConfig,
    *,
    engine: Engine | None = None,
    request: BaseRequest | None = None,
    today: Callable[[], date] = date.today,
) -> Application:
    """The PTB ``Application`` for ``config``: handlers, rate limiter, per-user ordering.

    ``request`` replaces the HTTP layer (tests pass a fake); the ``TelegramBot`` is kept
    in ``app.bot_data["jixiao"]``.
    """
    bot = TelegramBot(engine or build_engine(config.data_dir, today=today), config.allowed_users)
    builder = (
        Application.builder()
        .token(config.token)
        .base_url(config.api_url)
        .base_file_url(config.base_file_url)
        .defaults(Defaults(parse_mode=ParseMode.HTML, link_preview_options=LinkPreviewOptions(is_disabled=True)))
        .rate_limiter(AIORateLimiter(max_retries=3))
        .concurrent_updates(PerUserOrder())
        .post_init(bot.post_init)
        .post_shutdown(bot.post_shutdown)
    )
    if request is not None:
        builder = builder.request(request).get_updates_request(request)
    app = builder.build()
    bot.install(app)
    app.bot_data["jixiao"] = bot
    return app
