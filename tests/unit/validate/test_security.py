"""Parsing and compiling stay offline and confined: a DOCTYPE is refused before
any entity is read or fetched, and schema files may refer only to files under
their own folders."""

from __future__ import annotations

import http.server
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import ClassVar

import pytest
from conftest import REPO

from syndication.errors import ConfigError
from syndication.validate import schemas
from syndication.validate.checker import check_bytes, declares_doctype

SCHEMAS = REPO / "schemas"


class _Recorder(http.server.BaseHTTPRequestHandler):
    """Answers every GET with a marker, and records that it was asked."""

    requests: ClassVar[list[str]] = []

    def do_GET(self) -> None:
        _Recorder.requests.append(self.path)
        self.send_response(200)
        self.send_header("Content-Type", "application/xml")
        self.end_headers()
        self.wfile.write(b'<!ENTITY % leak "FETCHED-SECRET">FETCHED-SECRET')

    def log_message(self, *args: object) -> None:
        return None


@pytest.fixture
def recorder() -> Iterator[str]:
    """A tiny HTTP server on 127.0.0.1; yields its base URL."""
    _Recorder.requests = []
    server = http.server.HTTPServer(("127.0.0.1", 0), _Recorder)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


RSS_TAIL = (
    '<rss version="2.0"><channel><title>&x;</title><link>l</link>'
    "<description>d</description></channel></rss>"
)


def test_external_entities_are_never_fetched_or_expanded(
    tmp_path: Path, recorder: str
) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("LOCAL-SECRET", encoding="utf-8")
    bodies = [
        f'<!DOCTYPE rss [<!ENTITY x SYSTEM "{recorder}/entity">]>{RSS_TAIL}',
        f'<!DOCTYPE rss [<!ENTITY x SYSTEM "{secret.as_uri()}">]>{RSS_TAIL}',
        f'<!DOCTYPE rss [<!ENTITY x SYSTEM "{secret}">]>{RSS_TAIL}',
        # A parameter entity pulling a remote DTD, and an external DTD subset.
        f'<!DOCTYPE rss [<!ENTITY % p SYSTEM "{recorder}/dtd"> %p;]>{RSS_TAIL}',
        f'<!DOCTYPE rss SYSTEM "{recorder}/rss.dtd">{RSS_TAIL}',
        # Comments and processing instructions before it change nothing.
        '<?xml version="1.0"?>\n<!-- x -->\n<?pi x?>\n'
        f'<!doctype rss SYSTEM "{recorder}/b">{RSS_TAIL}',
    ]
    for body in bodies:
        report = check_bytes(body.encode(), name="xxe.xml", schemas_dir=SCHEMAS)
        assert [p.rule for p in report.problems] == ["no-doctype"], body
        assert "SECRET" not in repr(report)
    assert _Recorder.requests == []


def test_a_doctype_visible_only_after_decoding_is_refused_unfetched(
    tmp_path: Path, recorder: str
) -> None:
    # The byte scan cannot read UTF-16; the safe parser then meets the DOCTYPE
    # with DTD loading, entity expansion and network access all off.
    secret = tmp_path / "secret.txt"
    secret.write_text("LOCAL-SECRET", encoding="utf-8")
    for system in (f"{recorder}/utf16", secret.as_uri()):
        text = (
            '<?xml version="1.0" encoding="UTF-16"?>\n'
            f'<!DOCTYPE rss [<!ENTITY x SYSTEM "{system}">]>\n{RSS_TAIL}'
        )
        report = check_bytes(text.encode("utf-16"), name="u.xml", schemas_dir=SCHEMAS)
        assert [p.rule for p in report.problems] == ["no-doctype"]
        assert "SECRET" not in repr(report)
    assert _Recorder.requests == []


def test_only_the_prolog_is_searched_for_a_doctype() -> None:
    assert declares_doctype(b'<?xml version="1.0"?>\n<!--c-->\n<!DOCTYPE x>') == 3
    assert declares_doctype(b"\xef\xbb\xbf<!DOCTYPE x><x/>") == 1
    # Inside the document (here, a CDATA body) it is text, not a declaration.
    assert declares_doctype(b"<rss><x><![CDATA[<!DOCTYPE html>]]></x></rss>") is None


def _grammar_folder(tmp_path: Path, include: str) -> Path:
    folder = tmp_path / "schemas"
    (folder / "rules").mkdir(parents=True)
    (folder / "rss.rng").write_text(
        '<grammar xmlns="http://relaxng.org/ns/structure/1.0">'
        f'<include href="{include}"/><start><element name="rss"><text/></element>'
        "</start></grammar>",
        encoding="utf-8",
    )
    return folder


def test_grammar_references_outside_the_schemas_folder_are_refused(
    tmp_path: Path, recorder: str
) -> None:
    outside = tmp_path / "outside.rng"
    outside.write_text(
        '<grammar xmlns="http://relaxng.org/ns/structure/1.0"/>', encoding="utf-8"
    )
    for include in ("../outside.rng", str(outside), f"{recorder}/remote.rng"):
        folder = _grammar_folder(tmp_path / include.replace("/", "_"), include)
        with pytest.raises(ConfigError, match="schema reference refused") as caught:
            schemas.grammar(folder, "rss")
        assert include in str(caught.value)
    assert _Recorder.requests == []


def test_official_xsd_references_outside_its_folder_are_refused(
    tmp_path: Path, recorder: str
) -> None:
    (tmp_path / "elsewhere.xsd").write_text(
        '<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema" '
        'targetNamespace="urn:elsewhere"/>',
        encoding="utf-8",
    )
    folder = tmp_path / "xsd"
    folder.mkdir()
    for n, location in enumerate(("../elsewhere.xsd", f"{recorder}/remote.xsd")):
        xsd = folder / f"main{n}.xsd"
        xsd.write_text(
            '<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema">'
            f'<xs:import namespace="urn:elsewhere" schemaLocation="{location}"/>'
            '<xs:element name="a"/></xs:schema>',
            encoding="utf-8",
        )
        with pytest.raises(ConfigError, match="schema reference refused"):
            schemas.official_xsd(xsd)
    assert _Recorder.requests == []


def test_official_xsd_compiles_with_xml_xsd_beside_it(official_xsd: Path) -> None:
    assert schemas.official_xsd(official_xsd) is schemas.official_xsd(official_xsd)


def test_schemas_compile_once_per_process() -> None:
    from syndication.validate import rules

    for fmt in ("rss", "atom", "newsml"):
        assert schemas.grammar(SCHEMAS, fmt) is schemas.grammar(SCHEMAS, fmt)
        assert rules.compiled_rules(SCHEMAS, fmt) is rules.compiled_rules(SCHEMAS, fmt)


def test_rules_run_with_file_and_network_access_denied(tmp_path: Path) -> None:
    from lxml import etree

    from syndication.validate import rules

    folder = tmp_path / "schemas"
    (folder / "rules").mkdir(parents=True)
    secret = tmp_path / "secret.xml"
    secret.write_text("<s>LOCAL-SECRET</s>", encoding="utf-8")
    (folder / "rules" / "rss.sch").write_text(
        '<schema xmlns="http://purl.oclc.org/dsdl/schematron">'
        '<let name="expected-credit" value="\'\'"/>'
        '<let name="build-time" value="0"/>'
        '<pattern><rule context="/rss"><assert id="leak" test="false()">'
        f"<value-of select=\"document('{secret.as_uri()}')\"/></assert></rule>"
        "</pattern></schema>",
        encoding="utf-8",
    )
    compiled = rules.compiled_rules(folder, "rss")
    from datetime import UTC, datetime

    with pytest.raises(ConfigError, match="rules failed to run"):
        compiled.problems(
            etree.ElementTree(etree.XML(b'<rss version="2.0"/>')),
            "x.xml",
            expected_credit=None,
            build_time=datetime.now(UTC),
        )


def test_rules_must_declare_their_parameters(tmp_path: Path) -> None:
    from syndication.validate import rules

    folder = tmp_path / "schemas"
    (folder / "rules").mkdir(parents=True)
    (folder / "rules" / "atom.sch").write_text(
        '<schema xmlns="http://purl.oclc.org/dsdl/schematron">'
        '<pattern><rule context="/"><assert test="true()">x</assert></rule>'
        "</pattern></schema>",
        encoding="utf-8",
    )
    with pytest.raises(ConfigError, match="expected-credit, build-time"):
        rules.compiled_rules(folder, "atom")


def test_schema_location_hints_are_never_followed(
    recorder: str, official_xsd: Path
) -> None:
    from syndication.validate.gate import Gate

    body = (REPO / "tests/data/broken/newsml-valid.xml").read_bytes()
    hinted = body.replace(
        b'<newsMessage xmlns="http://iptc.org/std/nar/2006-10-01/">',
        b'<newsMessage xmlns="http://iptc.org/std/nar/2006-10-01/" '
        b'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" '
        b'xsi:schemaLocation="http://iptc.org/std/nar/2006-10-01/ '
        + f'{recorder}/NewsML-G2.xsd"'.encode()
        + b">",
    )
    assert hinted != body
    report = Gate(SCHEMAS, official_xsd).check_file(hinted, name="hinted.xml")
    assert report.ok, [str(p) for p in report.problems]
    assert _Recorder.requests == []
