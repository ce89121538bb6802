"""syndication validate FILE.json: a ninjs document, ours or another
publisher's, against IPTC's ninjs 3.1 schema, our rules and the safety rules."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import NINJS_DIR, REPO

from syndication.cli import cli

BROKEN = REPO / "tests" / "data" / "broken"


def run(config: Path, *args: str, stdin: bytes | None = None):  # type: ignore[no-untyped-def]
    return CliRunner().invoke(
        cli, ["--config", str(config), "validate", *args], input=stdin
    )


@pytest.fixture(autouse=True)
def _schema(ninjs_schema: Path) -> None:
    """Skips these tests when ../shared has no ninjs schema."""


def test_valid_ninjs_files_exit_0(config_file: Path) -> None:
    result = run(
        config_file,
        str(BROKEN / "ninjs-valid.json"),
        str(BROKEN / "ninjs-canceled-valid.json"),
        str(BROKEN / "rss-valid.xml"),
    )
    assert result.exit_code == 0, result.output
    assert result.stdout == "3 document(s) valid\n"


@pytest.mark.parametrize(
    ("name", "line"),
    [
        ("ninjs-missing-uri.json", "[ninjs-schema] $: 'uri' is a required property"),
        (
            "ninjs-wrong-type.json",
            "[ninjs-schema] $.urgency: 'high' is not of type 'integer'",
        ),
        (
            "ninjs-script-in-body.json",
            "[no-script] $.bodies[0].value contains a script element.",
        ),
        (
            "ninjs-canceled-with-text.json",
            "[canceled-no-text] $: A canceled item carries none of the killed "
            "story's text; found headlines, bodies.",
        ),
    ],
)
def test_a_broken_ninjs_file_is_refused(
    config_file: Path, name: str, line: str
) -> None:
    path = BROKEN / name
    result = run(config_file, str(path))
    assert result.exit_code == 4
    assert result.stdout == f"{path}: {line}\n1 problem(s) in 1 of 1 document(s)\n"


def test_credit_options_apply_to_ninjs(config_file: Path) -> None:
    path = BROKEN / "ninjs-valid.json"
    result = run(config_file, "--credit-line", "Credit: Other", str(path))
    assert result.exit_code == 4
    assert result.stdout.splitlines() == [
        f"{path}: [credit-line-matches] $: The usage terms do not begin with the "
        'feed\'s credit line "Credit: Other".',
        f"{path}: [credit-paragraph] $: The body's credit paragraph says \"Credit: "
        'Example Wire", not the credit line "Credit: Other".',
        "2 problem(s) in 1 of 1 document(s)",
    ]
    same = run(config_file, "--credit-line", "Credit: Example Wire", str(path))
    assert same.exit_code == 0, same.output


def test_standard_input_and_json_output(config_file: Path) -> None:
    body = (BROKEN / "ninjs-script-in-body.json").read_bytes()
    result = run(config_file, "--json", "-", stdin=body)
    assert result.exit_code == 4
    assert json.loads(result.stdout) == {
        "ok": False,
        "checked": 1,
        "problems": [
            {
                "document": "<stdin>",
                "line": None,
                "rule": "no-script",
                "message": "$.bodies[0].value contains a script element.",
            }
        ],
    }


@pytest.mark.parametrize(
    "example", sorted((NINJS_DIR / "examples").glob("*.json")), ids=lambda p: p.name
)
def test_iptc_examples_fail_only_our_credit_rules(
    config_file: Path, example: Path
) -> None:
    result = run(config_file, "--json", str(example))
    assert result.exit_code == 4
    found = {p["rule"] for p in json.loads(result.stdout)["problems"]}
    assert found <= {"rights-present", "credit-line-present", "credit-paragraph"}


def test_without_the_schema_configured_ninjs_is_a_configuration_error(
    tmp_path: Path,
) -> None:
    from conftest import write_config

    config = write_config(tmp_path)
    text = config.read_text(encoding="utf-8")
    config.write_text(
        "\n".join(line for line in text.splitlines() if "ninjs_schema" not in line),
        encoding="utf-8",
    )
    result = run(config, str(BROKEN / "ninjs-valid.json"))
    assert result.exit_code == 3
    assert "[validation] ninjs_schema" in result.output
    assert run(config, str(BROKEN / "rss-valid.xml")).exit_code == 0
