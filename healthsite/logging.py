"""Structured logs: one JSON object per line, for whatever collects stdout.

Every line has `time` (UTC, ISO 8601), `level`, `logger` and `message`.
Request lines (from `healthsite.middleware.RequestLogMiddleware`) add
`method`, `path`, `status` and `duration_ms`; Django's own request errors
(the `django.request` logger) add `method`, `path` and `status` from the
request they carry. A logged exception adds `exception` (its type) and,
unless it answered a 4xx, `traceback` (the whole traceback, as one string).
Other `extra=` values are kept as fields, made into strings when JSON
cannot hold them.

The path is logged without its query string: a search is a reader's health
question, and a log is no place for it.

This module imports nothing from Django, so gunicorn's master process can
use it too (see gunicorn.conf.py).
"""

import json
import logging
from datetime import UTC, datetime

# The attributes every LogRecord has: anything else on a record came from `extra=`.
_STANDARD = frozenset(vars(logging.LogRecord("", 0, "", 0, "", (), None))) | {
    "message",
    "asctime",
    "taskName",
}
# Handled separately, or not worth a field on every line.
_SKIP = {"request", "status_code", "server_time"}


class JSONFormatter(logging.Formatter):
    def format(self, record):
        entry = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        entry.update(_request_fields(record))
        for key, value in vars(record).items():
            if key not in _STANDARD and key not in _SKIP and key not in entry:
                entry[key] = value
        if record.exc_info and record.exc_info[0] is not None:
            entry["exception"] = record.exc_info[0].__name__
            # A 400 for a bad Host or an oversized body needs no traceback.
            if entry.get("status", 500) >= 500:
                entry["traceback"] = self.formatException(record.exc_info)
        elif record.exc_text:
            entry["traceback"] = record.exc_text
        if record.stack_info:
            entry["stack"] = self.formatStack(record.stack_info)
        return json.dumps(entry, default=str, ensure_ascii=False)


def _request_fields(record):
    """method, path and status from Django's `extra={"request": …, "status_code": …}`."""
    fields = {}
    request = getattr(record, "request", None)
    # django.server passes its socket as `request`: only an HttpRequest has these.
    method, path = getattr(request, "method", None), getattr(request, "path", None)
    if isinstance(method, str) and isinstance(path, str):
        fields["method"], fields["path"] = method, path
    status = getattr(record, "status_code", None)
    if isinstance(status, int):
        fields["status"] = status
    return fields
