"""``python -m jixiao.bot`` does what the ``jixiao`` command does."""

from jixiao.bot.cli import main

if __name__ == "__main__":
    main()
