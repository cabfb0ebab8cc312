"""Property-based test: any text given as ``--url`` is either usable or one BadUsageError (exit 2).

Only :func:`validate_url` runs here, which builds redis-py's connection objects without
connecting, so no generated host name is ever looked up. (Whether a password in a malformed URL
is masked belongs to the secrets tests.)
"""

from __future__ import annotations

from hypothesis import example, given, settings
from hypothesis import strategies as st

from redisprep.backends import validate_url
from redisprep.errors import BadUsageError

SECRET = "s3cret-pw"
_PIECE = st.sampled_from(
    ["redis://", "rediss://", "unix://", "redis+cluster://", "http://", "", "//", ":", "@", f":{SECRET}@",
     "127.0.0.1", "[::1]", "[::1", "host", ":6379", ":0", ":99999", ":-1", ":port", "/", "/0", "/15", "/x",
     "?", "&", "=", "db=2", "socket_timeout=1", "socket_timeout=x", "protocol=2", "protocol=7",
     "health_check_interval=-1", "ssl_cert_reqs=none", "nope=1", "%", "%zz", "#frag", " ", "\x00", "é"]
)  # fmt: skip
URLS = st.lists(_PIECE, min_size=1, max_size=8).map("".join) | st.text(max_size=40)


@settings(max_examples=500, deadline=None, derandomize=True)
@given(url=URLS)
@example(url="unix:///run/redis.sock").via("unix:// was rebuilt as unix:/ and rejected by redis-py")
@example(url="redis://127.0.0.1:6379?socket_timeout=x").via("a ValueError escaped as a traceback")
@example(url="redis://127.0.0.1:6379?nope=1").via("a TypeError escaped as a traceback")
@example(url="redis+cluster://127.0.0.1:7000/3").via("a RedisClusterException escaped as a traceback")
@example(url="\n").via("a control character in the URL broke the error over two lines")
@example(url="redis://h\r\x1b[2J:6379/").via("a terminal escape in the URL reached the terminal")
def test_any_url_is_usable_or_one_usage_error(url: str) -> None:
    try:
        redis_url, is_cluster = validate_url(url)
    except BadUsageError as exc:
        assert "\n" not in str(exc) and str(exc).startswith("malformed URL ")
    else:
        assert redis_url.split("://", 1)[0] in ("redis", "rediss", "unix")
        assert is_cluster == url.lower().startswith(("redis+cluster://", "rediss+cluster://"))


_AROUND = st.lists(_PIECE, max_size=5).map("".join)
#: Every URL carries the secret where redis-py reads a password: after a ':' in a userinfo ending in
#: '@' (with any user name, scheme and rest around it), or as a ``password=`` option.
_USERS = st.sampled_from(["", "user", "default", "a:b"])
SECRET_URLS = st.builds(
    lambda before, user, after: f"{before}{user}:{SECRET}@{after}", _AROUND, _USERS, _AROUND
) | st.builds(
    lambda before, sep, after: f"{before}{sep}password={SECRET}{after}",
    _AROUND,
    st.sampled_from("?&"),
    _AROUND,
)


@settings(max_examples=500, deadline=None, derandomize=True)
@given(url=SECRET_URLS)
def test_a_password_never_shows_in_the_error_or_the_masked_url(url: str) -> None:
    from redisprep.backends import mask_url

    assert SECRET in url  # the premise: every example has a password to hide
    assert SECRET not in mask_url(url)
    try:
        validate_url(url)
    except BadUsageError as exc:
        assert SECRET not in str(exc)
