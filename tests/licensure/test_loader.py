"""The loader: every problem of every file, each with its file, line, column and JSON path."""

from __future__ import annotations

import copy
import json
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from cmeconf.licensure.loader import (
    SHIPPED_DIR,
    RequirementDataError,
    format_path,
    line_column,
    load_requirement_sets,
    value_offsets,
)


@pytest.fixture(scope="module")
def valid():
    """A valid set to break: the shipped Pennsylvania MD file."""
    return json.loads((SHIPPED_DIR / "US-PA-MD.json").read_text())


def write(directory: Path, data: dict, name: str | None = None) -> Path:
    path = directory / f"{name or data['id']}.json"
    path.write_text(json.dumps(data, indent=2) + "\n")
    return path


def position_of(path: Path, needle: str) -> tuple[int, int]:
    """Line and column (1-based) of the first occurrence of needle, counted independently."""
    for number, line in enumerate(path.read_text().splitlines(), start=1):
        if needle in line:
            return number, line.index(needle) + 1
    raise AssertionError(f"{needle!r} not in {path}")


def problems_of(paths) -> list:
    with pytest.raises(RequirementDataError) as caught:
        load_requirement_sets(paths)
    return list(caught.value.problems)


def test_value_offsets_find_nested_values():
    text = '{\n  "a": [1, {"b": "x",\n     "c": [true, null]}],\n  "d": {}\n}'
    offsets = value_offsets(text)
    assert line_column(text, offsets[()]) == (1, 1)
    assert line_column(text, offsets[("a",)]) == (2, 8)
    assert line_column(text, offsets[("a", 1, "b")]) == (2, 18)
    assert line_column(text, offsets[("a", 1, "c", 1)]) == (3, 18)
    assert line_column(text, offsets[("d",)]) == (4, 8)
    assert format_path(("a", 1, "c", 1)) == "$.a[1].c[1]"


def test_a_valid_file_loads(tmp_path, valid):
    sets = load_requirement_sets([write(tmp_path, valid)])
    assert sets["US-PA-MD"].total.amount == 100


def test_syntax_error_is_located(tmp_path, valid):
    path = write(tmp_path, valid)
    lines = path.read_text().splitlines()
    lines[3] = lines[3] + ","  # a trailing comma after "version": "2026-11-26",
    lines[3] = lines[3].replace(",,", ", ,")
    path.write_text("\n".join(lines) + "\n")
    [problem] = problems_of([path])
    assert (problem.file, problem.line, problem.path) == (str(path), 4, "$")
    assert problem.column == len(lines[3])  # the second comma
    assert "invalid JSON" in problem.message


def test_schema_error_points_at_the_nested_value(tmp_path, valid):
    data = copy.deepcopy(valid)
    data["topic_requirements"][2]["hours"] = "two hours"
    path = write(tmp_path, data)
    [problem] = problems_of([path])
    assert problem.path == "$.topic_requirements[2].hours"
    line, column = position_of(path, '"two hours"')
    assert (problem.line, problem.column) == (line, column)
    assert "'two hours' is not of type" in problem.message
    assert (
        str(problem) == f"{path}:{line}:{column}: $.topic_requirements[2].hours: {problem.message}"
    )


def test_missing_property_points_at_its_object(tmp_path, valid):
    data = copy.deepcopy(valid)
    del data["total"]["unit"]
    path = write(tmp_path, data)
    [problem] = problems_of([path])
    assert problem.path == "$.total"
    line, _column = position_of(path, '"total": {')
    assert problem.line == line
    assert "'unit' is a required property" in problem.message


def test_meaning_problems_are_all_reported(tmp_path, valid):
    data = copy.deepcopy(valid)
    data["topic_requirements"][0]["topics_any"].append("astrology")
    data["topic_requirements"][1]["source_refs"] = ["PA-99"]
    data["topic_requirements"][0]["may_not_share_with"] = ["PA-NOPE"]
    data["credit_type_rules"][0]["credit_types"] = ["AMA_PRA_9"]
    data["cycle"]["fixed_end"] = "2026-02-30"
    data["topic_requirements"][2]["applies_if"]["conditions"] = ["owns_a_yacht"]
    path = write(tmp_path, data)
    problems = {p.path: p for p in problems_of([path])}
    assert set(problems) == {
        "$.topic_requirements[0].topics_any[7]",
        "$.topic_requirements[1].source_refs[0]",
        "$.topic_requirements[0].may_not_share_with[0]",
        "$.credit_type_rules[0].credit_types[0]",
        "$.cycle.fixed_end",
        "$.topic_requirements[2].applies_if.conditions[0]",
    }
    assert "unknown topic 'astrology'" in problems["$.topic_requirements[0].topics_any[7]"].message
    assert (problems["$.cycle.fixed_end"].line, problems["$.cycle.fixed_end"].column) == (
        position_of(path, '"2026-02-30"')
    )
    ref = problems["$.topic_requirements[1].source_refs[0]"]
    assert (ref.line, ref.column) == position_of(path, '"PA-99"')
    assert "names no source" in ref.message


def test_file_name_must_equal_the_id(tmp_path, valid):
    path = write(tmp_path, valid, name="US-PA-XX")
    [problem] = problems_of([path])
    assert problem.path == "$.id"
    assert problem.line == position_of(path, '"id": "US-PA-MD"')[0]
    assert "does not match the file name" in problem.message


def test_problems_in_two_files_are_both_reported(tmp_path, valid):
    first = copy.deepcopy(valid)
    first["total"]["amount"] = -5
    second = copy.deepcopy(valid)
    second["id"] = "US-PA-ZZ"
    second["license_types"] = []
    paths = [write(tmp_path, first), write(tmp_path, second)]
    problems = problems_of(paths)
    assert {(Path(p.file).name, p.path) for p in problems} == {
        ("US-PA-MD.json", "$.total.amount"),
        ("US-PA-ZZ.json", "$.license_types"),
    }


def test_duplicate_ids_across_files(tmp_path, valid):
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    paths = [write(tmp_path / "a", valid), write(tmp_path / "b", valid)]
    [problem] = problems_of(paths)
    assert problem.path == "$.id"
    assert "duplicate requirement set id 'US-PA-MD'" in problem.message
    assert problem.file == str(paths[1])


def test_command_reports_problems_and_fails(tmp_path, valid, capsys):
    data = copy.deepcopy(valid)
    data["total"]["unit"] = "furlong"
    path = write(tmp_path, data)
    with pytest.raises(CommandError, match="1 problem found"):
        call_command("check_requirements", str(tmp_path))
    line, column = position_of(path, '"furlong"')
    assert (
        f"{path}:{line}:{column}: $.total.unit: unknown unit 'furlong'" in capsys.readouterr().err
    )


def test_command_passes_the_shipped_data(capsys):
    call_command("check_requirements")
    assert capsys.readouterr().out.strip() == "32 requirement sets OK"
