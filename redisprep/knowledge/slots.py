"""Key-to-slot maths of Redis Cluster: CRC16 (XMODEM) of the key, or of its hash tag, mod 16384."""

from __future__ import annotations

import binascii

#: Number of hash slots in a Redis Cluster.
SLOTS = 16384


def _as_bytes(key: str | bytes) -> bytes:
    return key if isinstance(key, bytes) else key.encode("utf-8")


def hash_tag(key: str | bytes) -> str | None:
    """The hash tag of ``key``: the text between the first ``{`` and the next ``}``, if not empty.

    ``user:{42}:name`` -> ``42``; ``foo{}{bar}`` -> None (an empty first tag means no tag);
    ``foo{{bar}}`` -> ``{bar``.
    """
    raw = _as_bytes(key)
    start = raw.find(b"{")
    if start < 0:
        return None
    end = raw.find(b"}", start + 1)
    if end <= start + 1:
        return None
    return raw[start + 1 : end].decode("utf-8", "backslashreplace")


def hashed_part(key: str | bytes) -> bytes:
    """The bytes Redis hashes for ``key``: its hash tag if it has one, else the whole key."""
    raw = _as_bytes(key)
    start = raw.find(b"{")
    if start >= 0:
        end = raw.find(b"}", start + 1)
        if end > start + 1:
            return raw[start + 1 : end]
    return raw


def key_slot(key: str | bytes) -> int:
    """The slot of ``key``, as ``CLUSTER KEYSLOT`` computes it.

    ``binascii.crc_hqx(data, 0)`` is CRC16 with polynomial 0x1021 and initial value 0 (XMODEM), the
    variant the cluster specification uses: ``crc_hqx(b"123456789", 0) == 0x31C3``.
    """
    return binascii.crc_hqx(hashed_part(key), 0) % SLOTS
