import re
from pathlib import Path

import pytest

from cmeconf import config

DOC = Path(__file__).resolve().parents[1] / "docs" / "operators" / "settings.md"


def test_every_option_is_documented():
    text = DOC.read_text()
    missing = [o.env for o in config.OPTIONS if f"`{o.env}`" not in text]
    assert missing == []


def test_documented_options_exist():
    text = DOC.read_text()
    named = set(re.findall(r"^\| `([A-Z_]+)`", text, flags=re.M))
    assert named == {o.env for o in config.OPTIONS}


def test_environment_beats_file_beats_default(tmp_path, monkeypatch):
    cfg = tmp_path / "cmeconf.toml"
    cfg.write_text('[cmeconf]\nsite_url = "https://file.example"\nlog_level = "DEBUG"\n')
    monkeypatch.setenv("CMECONF_CONFIG", str(cfg))
    monkeypatch.setenv("CMECONF_LOG_LEVEL", "ERROR")
    values = config.load()
    assert values["CMECONF_SITE_URL"] == "https://file.example"
    assert values["CMECONF_LOG_LEVEL"] == "ERROR"
    assert values["CMECONF_EMAIL_PORT"] == 25


def test_bad_values_are_explained(tmp_path, monkeypatch):
    monkeypatch.setenv("CMECONF_SECURE", "perhaps")
    with pytest.raises(ValueError, match="CMECONF_SECURE: expected yes or no"):
        config.load()
    monkeypatch.delenv("CMECONF_SECURE")
    cfg = tmp_path / "c.toml"
    cfg.write_text("[cmeconf]\nnot_a_setting = 1\n")
    monkeypatch.setenv("CMECONF_CONFIG", str(cfg))
    with pytest.raises(ValueError, match="unknown setting 'not_a_setting'"):
        config.load()
