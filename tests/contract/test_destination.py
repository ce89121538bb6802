"""The Destination contract, run against every implementation: a local folder and
S3 on a real moto server."""

from __future__ import annotations

import hashlib
import os
import uuid
from pathlib import Path
from urllib.parse import quote

import boto3
import pytest
from hypothesis import given
from hypothesis import strategies as st

from syndication.destinations.base import (
    MAX_SEGMENT_LENGTH,
    decode_segment,
    encode_segment,
    join_key,
    segment_start,
)
from syndication.destinations.local import LocalDestination
from syndication.destinations.s3 import S3Destination
from syndication.errors import ConfigError, DestinationError


@pytest.fixture(
    params=[
        pytest.param("local", id="local"),
        pytest.param("s3", id="s3", marks=pytest.mark.external_service),
    ]
)
def destination(request, tmp_path: Path):  # type: ignore[no-untyped-def]
    if request.param == "local":
        yield LocalDestination(
            "local", tmp_path / "public", "https://feeds.example.org"
        )
        return
    request.getfixturevalue("s3_env")
    server = request.getfixturevalue("moto_server")
    bucket = f"contract-{uuid.uuid4().hex[:10]}"
    boto3.client(
        "s3", endpoint_url=server.endpoint_url, region_name="us-east-1"
    ).create_bucket(Bucket=bucket)
    opened = S3Destination(
        "s3",
        {
            "bucket": bucket,
            "prefix": "pre",
            "endpoint_url": server.endpoint_url,
            "region": "us-east-1",
            "public_base_url": "https://feeds.example.org",
        },
    )
    yield opened
    opened.close()


def put(destination, key: str, body: bytes):  # type: ignore[no-untyped-def]
    return destination.put(
        key,
        body,
        content_type="application/rss+xml; charset=utf-8",
        cache_control="public, max-age=60",
        sha256=hashlib.sha256(body).hexdigest(),
    )


def test_a_sha256_fingerprint_is_said_so(destination) -> None:  # type: ignore[no-untyped-def]
    """Publishing compares a document's own SHA-256 with the listing when
    the destination says its fingerprints are SHA-256: they must be."""
    body = b"<rss>fingerprint</rss>"
    said = destination.fingerprints_sha256
    assert said == (destination.fingerprint(body) == hashlib.sha256(body).hexdigest())


def test_put_then_list_reports_fingerprints(destination) -> None:  # type: ignore[no-untyped-def]
    put(destination, "feed/rss.xml", b"<rss/>")
    put(destination, "feed/items/a/v1.xml", b"<item/>")
    put(destination, "other/rss.xml", b"<x/>")
    assert destination.list("feed") == {
        "feed/rss.xml": destination.fingerprint(b"<rss/>"),
        "feed/items/a/v1.xml": destination.fingerprint(b"<item/>"),
    }
    put(destination, "feed/rss.xml", b"<rss>2</rss>")
    assert destination.list("feed")["feed/rss.xml"] == destination.fingerprint(
        b"<rss>2</rss>"
    )
    assert destination.list("nothing-here") == {}


def test_inventory_gives_size_fingerprint_and_the_kept_sha256(destination) -> None:  # type: ignore[no-untyped-def]
    put(destination, "feed/rss.xml", b"<rss/>")
    put(destination, "feed/items/a/v1.xml", b"<item>1</item>")
    put(destination, "other/rss.xml", b"<x/>")
    found = destination.inventory("feed")
    assert sorted(found) == ["feed/items/a/v1.xml", "feed/rss.xml"]
    rss = found["feed/rss.xml"]
    assert (rss.key, rss.size, rss.fingerprint) == (
        "feed/rss.xml",
        6,
        destination.fingerprint(b"<rss/>"),
    )
    # A folder's listing hashes the files; S3 keeps the SHA-256 in metadata.
    assert rss.sha256 in {"", hashlib.sha256(b"<rss/>").hexdigest()}
    assert destination.list("feed") == {k: o.fingerprint for k, o in found.items()}
    assert destination.stored_sha256("feed/rss.xml") == (
        hashlib.sha256(b"<rss/>").hexdigest()
    )
    with pytest.raises(DestinationError):
        destination.stored_sha256("feed/nothing.xml")
    assert destination.inventory("nothing-here") == {}


def test_public_url(destination) -> None:  # type: ignore[no-untyped-def]
    assert destination.url("feed/rss.xml") == "https://feeds.example.org/feed/rss.xml"
    with pytest.raises(DestinationError, match="unsafe key segment"):
        destination.url("../rss.xml")


@pytest.mark.external_service
def test_s3_presigned_url_reads_the_object(moto_server, s3_env) -> None:  # type: ignore[no-untyped-def]
    from urllib.parse import parse_qs, urlsplit
    from urllib.request import urlopen

    bucket = f"private-{uuid.uuid4().hex[:10]}"
    boto3.client(
        "s3", endpoint_url=moto_server.endpoint_url, region_name="us-east-1"
    ).create_bucket(Bucket=bucket)
    private = S3Destination(
        "s3",
        {
            "bucket": bucket,
            "prefix": "pre",
            "endpoint_url": moto_server.endpoint_url,
            "region": "us-east-1",
        },
    )
    try:
        put(private, "feed/rss.xml", b"<rss/>")
        signed = private.url("feed/rss.xml", expires_seconds=900)
        parts = urlsplit(signed)
        assert parts.path == f"/{bucket}/pre/feed/rss.xml"
        assert parse_qs(parts.query)["X-Amz-Expires"] == ["900"]
        with urlopen(signed, timeout=10) as response:
            assert response.read() == b"<rss/>"
        # No public base URL: even without --expires the address is presigned.
        assert "X-Amz-Signature=" in private.url("feed/rss.xml")
    finally:
        private.close()


@pytest.mark.parametrize(
    "key",
    [
        "../escape.xml",
        "feed/../../escape.xml",
        "/etc/passwd",
        "feed//x.xml",
        "a/./b",
        "..%2Fescape.xml",
        "feed/%2e%2e/x.xml",
        "feed/%2F/x.xml",
        "feed\\..\\x.xml",
        "feed/x.xml\x00",
        "",
    ],
)
def test_keys_that_could_escape_are_refused(destination, key: str) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(DestinationError, match="unsafe key segment"):
        put(destination, key, b"x")


@given(st.text(min_size=1))
def test_any_text_encodes_to_one_safe_segment(text: str) -> None:
    segment = encode_segment(text)
    assert join_key("feed", "items", segment) == f"feed/items/{segment}"


@given(st.text(min_size=1), st.text(min_size=1))
def test_distinct_ids_never_share_a_key(a: str, b: str) -> None:
    if a != b:
        assert encode_segment(a) != encode_segment(b)


# Ids up to the schema's 256 characters, and beyond: short and long ones,
# ASCII and not, and pairs that share a long start.
IDS = st.one_of(
    st.text(min_size=1),
    st.text(min_size=1, max_size=300),
    st.text(alphabet="aé~%.:/-", min_size=150, max_size=300),
    st.builds(
        str.__add__,
        st.sampled_from(["x" * 190, "é" * 40, "urn:" + "a" * 196]),
        st.text(max_size=30),
    ),
)


def old_encoding(text: str) -> str:
    """encode_segment before long ids were bounded."""
    encoded = quote(text, safe="-_").replace("~", "%7E")
    encoded = encoded.replace(".", "%2E") if encoded in {".", ".."} else encoded
    return encoded.replace("%", "~")


@given(IDS)
def test_every_segment_is_bounded_and_short_ids_keep_their_keys(text: str) -> None:
    segment = encode_segment(text)
    assert len(segment.encode()) <= MAX_SEGMENT_LENGTH
    assert join_key("feed", "items", segment, "v1.xml").count("/") == 3
    old = old_encoding(text)
    if len(old) <= MAX_SEGMENT_LENGTH:
        assert segment == old  # keys already published never move
        assert decode_segment(segment) == text
    else:
        assert decode_segment(segment) is None
        assert text.startswith(segment_start(segment))
        assert len(segment_start(segment)) > 0


@given(IDS, IDS)
def test_distinct_long_or_short_ids_never_share_a_segment(a: str, b: str) -> None:
    if a != b:
        assert encode_segment(a) != encode_segment(b)


def test_a_long_id_keeps_a_readable_start_and_a_hash() -> None:
    accented = "é" * 106  # 1,272 bytes encoded: over any file system's name limit
    segment = encode_segment(accented)
    assert len(segment) <= MAX_SEGMENT_LENGTH
    assert segment.startswith("~C3~A9~C3~A9")
    digest = hashlib.sha256(accented.encode()).hexdigest()[:32]
    assert segment.endswith(f"~h{digest}")
    plain = encode_segment("a" * 256)
    assert plain.startswith("a" * 160) and len(plain) <= MAX_SEGMENT_LENGTH
    assert encode_segment("a" * 200) == "a" * 200  # fits: unchanged


def test_a_long_id_can_be_written_at_every_destination(destination) -> None:  # type: ignore[no-untyped-def]
    for guid in ("é" * 106, "a" * 256, "ทดสอบ" * 51):
        key = join_key("feed", "items", encode_segment(guid), "v1.xml")
        put(destination, key, b"<item/>")
        assert key in destination.list("feed")


def test_tilde_and_percent_ids_do_not_collide() -> None:
    # '%' is written as '~', so a literal '~' must be encoded too.
    assert encode_segment("%41") == "~2541"
    assert encode_segment("~2541") == "~7E2541"
    assert encode_segment("..") == "~2E~2E"
    assert encode_segment("urn:x:1") == "urn~3Ax~3A1"


@pytest.mark.parametrize(
    "guid", ["../../escape", "/etc/passwd", "a/../../b", "%2e%2e%2fx", "..", "~"]
)
def test_article_ids_land_inside_the_feed_folder(destination, guid: str) -> None:  # type: ignore[no-untyped-def]
    key = join_key("feed", "items", encode_segment(guid), "v1.xml")
    put(destination, key, b"<item/>")
    listed = destination.list("feed")
    assert list(listed) == [key]
    assert key.startswith("feed/items/") and key.count("/") == 3
    assert destination.list("") == listed  # nothing anywhere else


def test_encoded_segments_stay_one_segment() -> None:
    for text in ("../../x", "a/b", "..", ".", "%2e%2e%2f", "urn:x:1", "é/ü"):
        segment = encode_segment(text)
        assert "/" not in segment
        assert segment not in {".", ".."}
        assert join_key("feed", "items", segment, "v1.xml").count("/") == 3


def test_s3_refuses_secrets_in_configuration() -> None:
    with pytest.raises(ConfigError, match="credentials never go in the configuration"):
        S3Destination("s3", {"bucket": "b", "aws_secret_access_key": "x"})
    with pytest.raises(ConfigError, match=r"\[destinations.s3.bucket\]"):
        S3Destination("s3", {})


def test_local_writes_are_atomic_renames(tmp_path: Path) -> None:
    destination = LocalDestination("local", tmp_path)
    put(destination, "feed/rss.xml", b"old")
    before = os.stat(tmp_path / "feed" / "rss.xml").st_ino
    handle = open(tmp_path / "feed" / "rss.xml", "rb")  # noqa: SIM115  # a reader mid-write
    put(destination, "feed/rss.xml", b"new")
    assert handle.read() == b"old"  # the open reader keeps the whole old document
    handle.close()
    assert (tmp_path / "feed" / "rss.xml").read_bytes() == b"new"
    assert os.stat(tmp_path / "feed" / "rss.xml").st_ino != before
    assert [p.name for p in (tmp_path / "feed").iterdir()] == [
        "rss.xml"
    ]  # no temp files


def test_local_write_failure_is_a_destination_error(tmp_path: Path) -> None:
    (tmp_path / "feed").write_text("a file where a folder should be")
    destination = LocalDestination("local", tmp_path)
    with pytest.raises(DestinationError, match=r"local:feed/rss.xml: cannot write"):
        put(destination, "feed/rss.xml", b"x")


def test_conditional_writes_refuse_a_changed_index(destination) -> None:  # type: ignore[no-untyped-def]
    put(destination, "feed/rss.xml", b"<rss>1</rss>")
    listed = destination.list("feed")["feed/rss.xml"]
    put(destination, "feed/rss.xml", b"<rss>by someone else</rss>")
    with pytest.raises(DestinationError, match="changed by another publisher") as info:
        destination.put(
            "feed/rss.xml",
            b"<rss>2</rss>",
            content_type="application/rss+xml; charset=utf-8",
            cache_control="public, max-age=60",
            sha256=hashlib.sha256(b"<rss>2</rss>").hexdigest(),
            expected=listed,
        )
    assert info.value.status == 412
    assert destination.list("feed")["feed/rss.xml"] == destination.fingerprint(
        b"<rss>by someone else</rss>"
    )
    with pytest.raises(DestinationError, match="changed by another publisher"):
        destination.put(
            "feed/rss.xml",
            b"<rss>3</rss>",
            content_type="application/rss+xml; charset=utf-8",
            cache_control="public, max-age=60",
            sha256="0" * 64,
            expected="",  # must not exist yet
        )
    current = destination.list("feed")["feed/rss.xml"]
    destination.put(
        "feed/rss.xml",
        b"<rss>4</rss>",
        content_type="application/rss+xml; charset=utf-8",
        cache_control="public, max-age=60",
        sha256=hashlib.sha256(b"<rss>4</rss>").hexdigest(),
        expected=current,
    )
    assert destination.list("feed")["feed/rss.xml"] == destination.fingerprint(
        b"<rss>4</rss>"
    )


def test_local_readers_see_old_or_new_never_a_part(tmp_path: Path) -> None:
    """A reader racing a writer always gets one whole document."""
    import threading

    destination = LocalDestination("local", tmp_path)
    bodies = [b"a" * 1_000_000, b"b" * 1_500_000]
    put(destination, "feed/rss.xml", bodies[0])
    target = tmp_path / "feed" / "rss.xml"
    seen: list[bytes] = []
    done = threading.Event()

    def read() -> None:
        while not done.is_set():
            seen.append(target.read_bytes())

    reader = threading.Thread(target=read)
    reader.start()
    try:
        for n in range(40):
            put(destination, "feed/rss.xml", bodies[n % 2])
    finally:
        done.set()
        reader.join()
    assert seen
    assert all(body in bodies for body in seen)
    assert [p.name for p in target.parent.iterdir()] == ["rss.xml"]


def test_a_failed_local_write_leaves_no_temporary_file(tmp_path: Path) -> None:
    (tmp_path / "feed" / "rss.xml").mkdir(parents=True)  # a folder in the way
    destination = LocalDestination("local", tmp_path)
    with pytest.raises(DestinationError, match=r"local:feed/rss.xml: cannot write"):
        put(destination, "feed/rss.xml", b"x")
    assert [p.name for p in (tmp_path / "feed").iterdir()] == ["rss.xml"]
    assert destination.list("feed") == {}
