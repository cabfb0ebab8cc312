"""Hide passwords: in a URL however it is written, and in any text that may quote one.

A password may sit in the userinfo (``redis://:pw@host``, ``redis://user:pw@host``, ``rediss://``,
``unix://:pw@/run/redis.sock``), in the query (``?password=pw``), and it may hold characters that
break the URL (an unencoded ``#``, ``?``, ``/``, ``@`` or ``:``), so that a strict parser reads a
different password than the user meant. Both readings are hidden: :func:`secrets_in` returns every
value that could be a password, :func:`mask_url` shows the URL with each replaced by ``***``, and
:func:`redact` removes them (raw, percent-encoded and in the pieces a parser may cut them into) from
any other text, such as an error message quoting part of the URL.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from urllib.parse import quote, unquote

MASK = "***"
#: A query option whose value is a secret (``password``, ``sentinel_password``, ``ssl_password``).
_SECRET_OPTION = re.compile(r"([?&;][^=&#?]*pass[^=&#?]*=)(.*)", re.IGNORECASE | re.DOTALL)
#: Where parsers cut a malformed URL; pieces of a password this long are hidden too.
_CUTS = re.compile(r"[:/?#@&=;\[\]]")
_PIECE = 4


_COLON_TO_AT = re.compile(r":[^@/?#]*@")
_SCHEME = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*://")


def _scheme_end(url: str) -> int:
    """Where what follows ``scheme://`` starts (0 when ``url`` does not begin with a scheme)."""
    scheme = _SCHEME.match(url)
    return scheme.end() if scheme else 0


def _userinfo_span(url: str) -> tuple[int, int] | None:
    """Start and end of the password in the userinfo (after its first ``:``), or None.

    The userinfo normally ends at the last ``@`` before the first ``/``, ``?`` or ``#``. When no
    ``@`` comes before those, but one comes later and what precedes the first of them is not a
    ``host:port``, the password itself holds the delimiter (``redis://:p#w@host``): the userinfo
    then runs to the last ``@``.
    """
    begin = _scheme_end(url)
    rest = url[begin:]
    stop = min((i for i in (rest.find("/"), rest.find("?"), rest.find("#")) if i >= 0), default=len(rest))
    at = rest.rfind("@", 0, stop)
    if at < 0:
        later = rest.rfind("@")
        host, sep, port = rest[:stop].rpartition(":")
        if later < 0 or (sep and host and port.isdigit()):
            return None
        at = later
    colon = rest.find(":", 0, at)
    if colon < 0:
        return None
    return begin + colon + 1, begin + at


_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def secrets_in(url: str) -> list[str]:
    """Every value in ``url`` that is, or could be read as, a password (longest first)."""
    found: list[str] = []
    span = _userinfo_span(url)
    if span is not None and span[1] > span[0]:
        found.append(url[span[0] : span[1]])
    for match in _SECRET_OPTION.finditer(url):
        value = match.group(2)
        if value:
            found.append(value)
            found.append(value.split("&", 1)[0].split("#", 1)[0])
    forms = {f for s in found for f in (s, unquote(s)) if f}
    return sorted(forms, key=len, reverse=True)


def mask_url(url: str) -> str:
    """``url`` with every password replaced by ``***`` (safe to print or log)."""
    shown = url
    span = _userinfo_span(shown)
    if span is not None and span[1] > span[0]:
        shown = shown[: span[0]] + MASK + shown[span[1] :]
    shown = _SECRET_OPTION.sub(lambda m: m.group(1) + MASK, shown)
    # Whatever the reading above missed: anything between a ':' and the next '@' could be a
    # password in some parser's eyes; a URL shown to a person loses nothing by hiding it.
    cut = _scheme_end(shown)
    shown = shown[:cut] + _COLON_TO_AT.sub(":" + MASK + "@", shown[cut:])
    # Control characters are shown escaped: an error about a URL stays one line on the terminal.
    return _CONTROL.sub(lambda m: f"\\x{ord(m.group()):02x}", redact(shown, secrets_in(url)))


def redact(text: str, secrets: Iterable[str]) -> str:
    """``text`` with each secret, its encoded forms and its longer pieces replaced by ``***``."""
    forms: set[str] = set()
    for secret in secrets:
        for form in (secret, unquote(secret), quote(secret, safe=""), quote(unquote(secret), safe="")):
            if form:
                forms.add(form)
                forms.update(p for p in _CUTS.split(form) if len(p) >= _PIECE)
    for form in sorted(forms, key=len, reverse=True):
        if form != MASK:
            text = text.replace(form, MASK)
    return text
