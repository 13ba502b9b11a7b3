"""``jixiao serve [--webhook URL --listen HOST --port N]``: run the Telegram bot.

Long polling by default (nothing to expose: good on a small VM). With ``--webhook``
Telegram POSTs updates to URL (HTTPS, usually nginx in front), which proxies to
HOST:PORT; every request must carry the secret token (``JIXIAO_WEBHOOK_SECRET``, or a
random one set with the webhook at each start). Configuration comes from the
environment and ``./.env`` (see ``bot/adapters/telegram_config.py``); a problem there
is reported in one line with exit status 2, and so is Telegram rejecting the token or
being out of reach at start-up (the token masked, ``bot/cli/errors.py``). A damaged
corpus file is set aside and the bot starts with the rest. SIGTERM or SIGINT stops the
bot cleanly: updates in progress finish, the store is closed.
"""

from __future__ import annotations

import logging
import signal
from pathlib import Path
from typing import Annotated, Optional
from urllib.parse import urlsplit

import typer
from jixiao.bot.cli import app
from jixiao.bot.cli.errors import remember_secrets, saving_in

logger = logging.getLogger("jixiao.bot.serve")


@app.command("serve")
def serve_command(
    webhook: Annotated[Optional[str], typer.Option("--webhook", metavar="URL", help="Receive updates at this public HTTPS URL instead of polling.")] = None,
    listen: Annotated[str, typer.Option("--listen", metavar="HOST", help="With --webhook: the address to listen on (behind a proxy: 127.0.0.1).")] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", metavar="N", help="With --webhook: the port to listen on.")] = 8080,
    data_dir: Annotated[Optional[Path], typer.Option("--data-dir", "--db", help="Store location (default $JIXIAO_DATA_DIR or ./jixiao-data).")] = None,
    log_level: Annotated[str, typer.Option("--log-level", help="DEBUG, INFO, WARNING or ERROR.")] = "INFO",
) -> None:
    """Run the Telegram bot (long polling, or a webhook behind HTTPS)."""
    from jixiao.bot.adapters.telegram import ALLOWED_UPDATES, build_application
    from jixiao.bot.adapters.telegram_config import ConfigError, load_config
    from jixiao.bot.adapters.telegram_logging import setup_logging

    if log_level.upper() not in ("DEBUG", "INFO", "WARNING", "ERROR"):
        typer.echo(f"jixiao serve: --log-level {log_level!r} is not one of DEBUG, INFO, WARNING, ERROR", err=True)
        raise typer.Exit(code=2)
    if webhook is not None and (urlsplit(webhook).scheme not in ("http", "https") or not urlsplit(webhook).netloc):
        typer.echo(f"jixiao serve: --webhook {webhook!r} is not a URL (https://bot.example.org/telegram)", err=True)
        raise typer.Exit(code=2)
    try:
        config = load_config(**({"JIXIAO_DATA_DIR": data_dir} if data_dir else {}))
    except ConfigError as error:
        typer.echo(f"jixiao serve: {error}", err=True)
        raise typer.Exit(code=2) from None
    secret = config.webhook_secret_value()  # the configured one, or a random one for this run
    remember_secrets(config.token, secret)
    setup_logging(log_level, secrets=(config.token, secret))
    with saving_in(config.data_dir, "the bot"):
        application = build_application(config)
    stop_signals = (signal.SIGINT, signal.SIGTERM)
    if webhook is None:
        logger.info("event=serving mode=polling data_dir=%s api=%s", config.data_dir, urlsplit(config.api_url).netloc)
        application.run_polling(allowed_updates=ALLOWED_UPDATES, stop_signals=stop_signals)
        return
    logger.info("event=serving mode=webhook url=%s listen=%s port=%s", webhook, listen, port)
    application.run_webhook(
        listen=listen, port=port, url_path=urlsplit(webhook).path.lstrip("/"), webhook_url=webhook,
        secret_token=secret, allowed_updates=ALLOWED_UPDATES, stop_signals=stop_signals,
    )
