"""docs/configuration.md documents every setting and every environment variable."""

import dataclasses
import typing
from pathlib import Path

from tracker.config import ENV_VARS, Settings

DOC = (Path(__file__).resolve().parents[2] / "docs" / "configuration.md").read_text()


def setting_names():
    hints = typing.get_type_hints(Settings)
    for field in dataclasses.fields(Settings):
        section = hints[field.name]
        if dataclasses.is_dataclass(section):
            for inner in dataclasses.fields(section):
                yield f"{field.name}.{inner.name}"
        else:
            yield field.name


def test_every_setting_is_documented():
    missing = [name for name in setting_names() if f"`{name}`" not in DOC]
    assert missing == []


def test_every_environment_variable_is_documented():
    assert [var for var in ENV_VARS if f"`{var}`" not in DOC] == []
