"""The recipe in docs/scaling.md is what the acceptance test runs: its configuration loads, its commands exist."""

import re
import shlex
from pathlib import Path

import pytest

from tracker.cli import build_parser
from tracker.config import load_settings

DOC = (Path(__file__).resolve().parents[2] / "docs" / "scaling.md").read_text(encoding="utf-8")
RECIPE = DOC.split("## Deployment recipe")[1]
TEST = (Path(__file__).parent / "test_recipe.py").read_text(encoding="utf-8")


def test_the_recipes_configuration_file_loads_with_a_shared_hub_budget(tmp_path):
    (block,) = re.findall(r"```toml\n(.*?)```", RECIPE, re.S)
    path = tmp_path / "tracker.toml"
    path.write_text(re.sub(r"^ {3}", "", block, flags=re.M), encoding="utf-8")
    settings = load_settings(path, env={})
    assert settings.database_url.startswith("postgresql")
    assert settings.huggingface.budget_requests > 0 and settings.huggingface.budget_seconds > 0


def recipe_commands():
    return sorted(set(re.findall(r"`(tracker (?:init|worker|schedule --workers))`", RECIPE)))


@pytest.mark.parametrize("command", recipe_commands())
def test_each_command_of_the_recipe_exists_and_the_acceptance_test_runs_it(command):
    args = build_parser().parse_args(shlex.split(command)[1:])
    assert callable(args.func)
    words = shlex.split(command)[1:]
    assert "TrackerProcess(config, " + ", ".join(f'"{w}"' for w in words) in TEST


def test_the_recipe_names_all_three_steps():
    assert recipe_commands() == ["tracker init", "tracker schedule --workers", "tracker worker"]
