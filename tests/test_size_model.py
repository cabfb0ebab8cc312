"""The memory model behind ``redisprep size``: encodings at their thresholds, bucket rounding, counts."""

from __future__ import annotations

import pytest

from redisprep.errors import BadUsageError, UnknownNameError
from redisprep.knowledge.limits import LIMITS_7_0, LIMITS_7_2
from redisprep.sizing import build_shape, estimate, parse_count
from redisprep.sizing.alloc import buckets, embstr_size, table_size


def _est(kind: str, **given: str | bool) -> tuple[str, int]:
    e = estimate(build_shape(kind, dict(given)))
    return e.encoding, e.total_bytes


@pytest.mark.parametrize(
    ("text", "count"),
    [
        ("100k", 100_000),
        ("10M", 10_000_000),
        ("1.5G", 1_500_000_000),
        ("20_000", 20_000),
        ("7", 7),
        ("2m", 2 * 10**6),
    ],
)
def test_counts_read_as_people_write_them(text: str, count: int) -> None:
    assert parse_count(text, "--keys") == count


@pytest.mark.parametrize("text", ["lots", "", "1.5", "10x", "-3", "1e6"])
def test_a_count_that_is_not_one_is_refused_naming_the_option(text: str) -> None:
    with pytest.raises(BadUsageError, match="--members"):
        parse_count(text, "--members")


def test_an_unknown_kind_suggests_the_closest() -> None:
    with pytest.raises(UnknownNameError, match="did you mean 'zset'"):
        build_shape("zsets", {})


def test_an_option_of_another_kind_is_refused() -> None:
    with pytest.raises(BadUsageError, match="--members does not apply to string"):
        build_shape("string", {"members": "10"})


@pytest.mark.parametrize(
    ("kind", "given", "encoding"),
    [
        ("string", {"value_bytes": "44"}, "embstr"),
        ("string", {"value_bytes": "45"}, "raw"),
        ("string", {"value_bytes": "12", "integers": True}, "int"),
        ("hash", {"fields": "512"}, "listpack"),
        ("hash", {"fields": "513"}, "hashtable"),
        ("hash", {"fields": "2", "value_bytes": "64"}, "listpack"),
        ("hash", {"fields": "2", "value_bytes": "65"}, "hashtable"),
        ("zset", {"members": "128"}, "listpack"),
        ("zset", {"members": "129"}, "skiplist"),
        ("zset", {"members": "3", "member_bytes": "65"}, "skiplist"),
        ("geo", {"members": "129"}, "skiplist"),
        ("set", {"members": "512", "member_bytes": "5", "integers": True}, "intset"),
        ("set", {"members": "513", "member_bytes": "5", "integers": True}, "hashtable"),
        ("set", {"members": "3"}, "hashtable"),
    ],
)
def test_the_encoding_changes_at_redis_7_0s_thresholds(
    kind: str, given: dict[str, str], encoding: str
) -> None:
    assert _est(kind, **given)[0] == encoding


def test_redis_7_2_keeps_small_string_sets_in_a_listpack() -> None:
    shape = build_shape("set", {"members": "128"})
    assert estimate(shape, LIMITS_7_2).encoding == "listpack"
    assert estimate(shape, LIMITS_7_0).encoding == "hashtable"
    assert estimate(build_shape("set", {"members": "129"}), LIMITS_7_2).encoding == "hashtable"


def test_embstr_is_one_allocation_of_robj_header_bytes_and_nul() -> None:
    # 16 (robj) + 3 (sdshdr8) + 44 + 1 = 64: the largest embstr fills a 64-byte size class exactly.
    assert embstr_size(44) == 64
    assert embstr_size(20) == 48


@pytest.mark.parametrize(
    ("count", "slots"), [(1, 4), (4, 4), (5, 8), (100_000, 131_072), (2**17, 2**17), (2**17 + 1, 2**18)]
)
def test_bucket_arrays_are_the_power_of_two_at_or_above_the_count(count: int, slots: int) -> None:
    assert table_size(count) == slots


def test_a_doubled_table_keeps_its_old_array_until_the_rehash_has_moved_it() -> None:
    # 20,000 SADDs: the table doubled at 16,384 and 3,616 single-step inserts cannot empty the
    # ~10,350 non-empty old buckets; ZADD's two steps per insert finish at 100k but SADD's one does not.
    assert buckets(20_000, 1).old == 16_384
    assert buckets(100_000, 2).old == 0
    assert buckets(100_000, 1).old == 65_536
    assert buckets(1_000_000, 1).old == 0
    assert buckets(20_000, None).old == 0  # the keyspace: serverCron finishes the rehash


def test_the_total_is_the_sum_of_the_working_and_per_entry_divides_it() -> None:
    e = estimate(build_shape("hash", {"keys": "1000", "fields": "10"}))
    assert e.total_bytes == round(sum(line.count * line.each for line in e.lines))
    assert e.per_entry == pytest.approx(e.total_bytes / 10_000)


def test_more_of_anything_never_costs_less() -> None:
    for kind, option in (("string", "keys"), ("hash", "fields"), ("zset", "members"), ("set", "members")):
        sizes = [_est(kind, **{option: str(n)})[1] for n in (10, 100, 1000, 10_000, 100_000)]
        assert sizes == sorted(sizes), kind


def test_a_ttl_adds_the_expires_dict() -> None:
    plain, with_ttl = _est("string", keys="1000")[1], _est("string", keys="1000", ttl=True)[1]
    assert with_ttl - plain == 1000 * 32 + 1024 * 8  # a dictEntry per key, and its bucket array


def test_geo_costs_more_than_zset_only_while_scores_sit_in_a_listpack() -> None:
    small = {"keys": "100", "members": "100"}
    assert _est("geo", **small)[1] > _est("zset", **small)[1]  # 52-bit scores: 9-byte listpack integers
    assert _est("geo", members="10000")[1] == _est("zset", members="10000")[1]  # a double per node


def test_small_integer_strings_cost_only_their_keys() -> None:
    # SET k 1234: values 0..9999 point at Redis's shared integer objects.
    shared = estimate(build_shape("string", {"keys": "1000", "value_bytes": "4", "integers": True}))
    assert shared.encoding == "int"
    assert sum(line.total for line in shared.lines if line.part.startswith("value")) == 0
    own = estimate(build_shape("string", {"keys": "1000", "value_bytes": "5", "integers": True}))
    assert own.total_bytes - shared.total_bytes == 1000 * 16  # a robj each from 10000 up


def test_the_interview_can_pass_numbers_instead_of_text() -> None:
    typed = build_shape("zset", {"members": "10M", "member_bytes": "16"})
    assert build_shape("zset", {"members": 10_000_000, "member_bytes": 16}) == typed


def test_generated_geo_points_stay_on_the_map() -> None:
    from redisprep.sizing.load import lon_lat

    points = [lon_lat(i) for i in range(0, 3_000_000, 997)] + [lon_lat(453), lon_lat(999_999)]
    assert all(-180 <= lon <= 180 and -85.05 <= lat <= 85.05 for lon, lat in points)
