"""gunicorn settings: `gunicorn -c config/gunicorn.py config.wsgi:application`.

- No `Server` header: gunicorn always names itself and offers no switch, so its response
  writer is told to leave that one line out.
- Secrets in URLs (the calendar feed's `?token=…`) are masked in the access log.
Everything else (bind address, workers) stays on the command line.
"""

from __future__ import annotations

import re

from gunicorn.glogging import Logger
from gunicorn.http import wsgi

_SECRET_PARAMETER = re.compile(r"((?:^|[?&;])(?:token|key|secret|password)=)[^&;\s\"]*", re.I)


def redact(text):
    return _SECRET_PARAMETER.sub(r"\1[redacted]", text) if isinstance(text, str) else text


class RedactingLogger(Logger):
    """gunicorn's logger, with secret query parameters masked in every access-log field."""

    def atoms(self, resp, req, environ, request_time):
        return {
            key: redact(value)
            for key, value in super().atoms(resp, req, environ, request_time).items()
        }


def _headers_without_server(self):
    return [line for line in _default_headers(self) if not line.lower().startswith("server:")]


_default_headers = wsgi.Response.default_headers
if getattr(wsgi.Response.default_headers, "__name__", "") != "_headers_without_server":
    wsgi.Response.default_headers = _headers_without_server

logger_class = RedactingLogger
accesslog = "-"
