"""secrets_in reads a URL's password exactly where a parser would, and nowhere else.

mask_url hides more than it must (anything between ':' and '@'), which would cover a wrong reading
of the userinfo; redact, which scrubs error messages, has only secrets_in's readings to go on. So
each reading is checked here on its own, as the exact list of candidates.
"""

from __future__ import annotations

import pytest

from redisprep.masking import secrets_in


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
    ],
)
def test_the_password_is_read_where_a_parser_reads_it(url: str, secrets: list[str]) -> None:
    assert secrets_in(url) == secrets
