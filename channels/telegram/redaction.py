"""Keeping the bot token out of the logs.

The token is part of every Bot API address, so httpx (which logs each request at INFO) and
some of PTB's own messages would write it out. httpx is turned down to warnings, and while
the bot runs, every log handler of the process replaces the token with "<telegram-token>".
"""

from __future__ import annotations

import logging

REPLACEMENT = "<telegram-token>"


class TokenRedactor(logging.Filter):
    """Rewrites a record so that `token` appears nowhere in it."""

    def __init__(self, token: str) -> None:
        super().__init__()
        self.token = token
        self._formatter = logging.Formatter()

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        if record.exc_info and not record.exc_text:
            record.exc_text = self._formatter.formatException(record.exc_info)
        if self.token in message or (record.exc_text and self.token in record.exc_text):
            record.msg, record.args = message.replace(self.token, REPLACEMENT), None
            if record.exc_text:
                record.exc_text = record.exc_text.replace(self.token, REPLACEMENT)
        return True


def redact(token: str) -> TokenRedactor:
    """Installs the redactor on the process's log handlers; `forget` removes it."""
    logging.getLogger("httpx").setLevel(logging.WARNING)
    redactor = TokenRedactor(token)
    for handler in logging.getLogger().handlers:
        handler.addFilter(redactor)
    return redactor


def forget(redactor: TokenRedactor) -> None:
    for handler in logging.getLogger().handlers:
        handler.removeFilter(redactor)
