"""secrets_in reads a URL's password exactly where a parser would, and nowhere else.

mask_url hides more than it must (anything between ':' and '@'), which would cover a wrong reading
of the userinfo; redact, which scrubs error messages, has only secrets_in's readings to go on. So
each reading is checked here on its own, as the exact list of candidates.
"""

from __future__ import annotations

import pytest

from redisprep.masking import MASK, mask_url, redact, secrets_in


@pytest.mark.parametrize(
    ("url", "secrets"),
    [
        ("redis://:pw@host:6379/0", ["pw"]),
        ("REDIS://:pw@host", ["pw"]),  # the scheme in capitals is still a scheme
        (":hunter2@", ["hunter2"]),  # no scheme: the userinfo starts at the first character
        ("redis://:p#w@host", ["p#w"]),  # a delimiter inside the password
        ("redis://u@v:pw@host", ["pw"]),  # an '@' in the user name: the userinfo ends at the last
        # A host:port before the first '/', '?' or '#': an '@' after it is not a userinfo's end.
        ("redis://host:6379/0?name=a@b", []),
        ("redis://host:6379/x@y/z", []),
        ("redis://host:6379?a@b?c", []),
        ("redis://host:6379?a@b", []),
        ("redis://host:6379#a@b", []),
        ("redis://host:6379#a@b#c", []),
        ("redis://host:6379", []),
        # A password given as an option: the whole rest (a parser might read '&' or '#' into it),
        # and the value up to the first '&' and the first '#', longest first.
        ("redis://h?password=a1&b2&c3", ["a1&b2&c3", "a1"]),
        ("redis://h?password=p1#frag#x", ["p1#frag#x", "p1"]),
        ("redis://h?password=p 1&x", ["p 1&x", "p 1"]),
        ("redis://:zz@h?password=aaaa", ["aaaa", "zz"]),  # by length, not alphabet
        ("redis://:p#w@x@host", ["p#w@x"]),  # the userinfo runs to the last '@'
        # A user name that starts with a delimiter: what precedes it is no host:port, so the
        # userinfo still runs to the last '@' (not to the last '@' before the next delimiter).
        ("redis://#ops:hun@ter/2@db", ["hun@ter/2"]),
        ("redis://?ops:hun@ter#2@db", ["hun@ter#2"]),
        # An IPv6 host and port: its colons are no userinfo's, an '@' in the query no userinfo's end.
        ("redis://[::1]:6379/0?name=a@b", []),
        # An empty userinfo ('@' first) has no password, whatever ':' and '@' the query holds.
        ("redis://@cache/0?client_name=app:blue@x", []),
    ],
)
def test_the_password_is_read_where_a_parser_reads_it(url: str, secrets: list[str]) -> None:
    assert secrets_in(url) == secrets


@pytest.mark.parametrize(
    ("text", "secret", "shown"),
    [
        ("auth a%2Fb failed", "a/b", "auth *** failed"),  # the secret URL-encoded, '/' too
        ("auth a%2Fb%2Fc failed", "a%2Fb/c", "auth *** failed"),  # decoded, then encoded again
        ("auth a%252F%2Fb failed", "a%2F/b", "auth *** failed"),  # encoded as given, '%' and '/' too
        ("token abcd:zzzzzzz end", "abcd:zzzzzzz", "token *** end"),  # the whole before its pieces
        ("saw abcd only", "abcd:efgh", "saw *** only"),  # a piece of 4 characters is hidden too
        ("saw abc only", "abc:efgh", "saw abc only"),  # 3 characters are too common to hide
    ],
)
def test_redact_hides_every_form_and_piece_of_a_secret(text: str, secret: str, shown: str) -> None:
    assert redact(text, [secret]) == shown and MASK == "***"


@pytest.mark.parametrize(
    ("url", "shown"),
    [
        ("redis://#ops:hun@ter/2@db", "redis://#ops:***@db"),
        ("redis://?ops:hun@ter#2@db", "redis://?ops:***@db"),
        ("redis://[::1]:6379/0?name=a@b", "redis://[::1]:6379/0?name=a@b"),  # nothing to hide
    ],
)
def test_mask_url_shows_no_piece_of_a_password_behind_a_delimiter(url: str, shown: str) -> None:
    assert mask_url(url) == shown
