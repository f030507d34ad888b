"""``pyworker init NAME``: the new project passes its own tests and serves at once."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from helpers import REPO, get

from pyworker.cli import main
from pyworker.commands.init import TEST, worker_name


def test_cli_init_creates_the_project_files(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys) -> None:
    monkeypatch.chdir(tmp_path)
    assert main(["init", "My App"]) == 0
    root = tmp_path / "My App"
    assert sorted(str(p.relative_to(root)) for p in root.rglob("*") if p.is_file()) == [
        ".gitignore", "README.md", "pyproject.toml", "src/entry.py", "tests/test_entry.py", "wrangler.toml",
    ]
    assert 'name = "my-app"' in (root / "wrangler.toml").read_text()
    assert "cd My App" in capsys.readouterr().out


def test_cli_init_refuses_a_folder_that_is_not_empty(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "taken").mkdir()
    (tmp_path / "taken" / "keep.txt").write_text("mine")
    assert main(["init", "taken"]) == 1
    assert "taken already exists and is not empty" in capsys.readouterr().err
    assert sorted(p.name for p in (tmp_path / "taken").iterdir()) == ["keep.txt"]


@pytest.mark.parametrize(("folder", "name"), [("my-worker", "my-worker"), ("My App!", "my-app"), ("___", "___"), ("!!", "worker")])
def test_cli_init_worker_name_from_folder(folder: str, name: str) -> None:
    assert worker_name(folder) == name


def test_cli_init_project_passes_its_tests_and_serves(tmp_path: Path, run_dev) -> None:
    subprocess.run([sys.executable, "-m", "pyworker", "init", "fresh"], cwd=tmp_path, check=True, capture_output=True)
    root = tmp_path / "fresh"
    env = {key: value for key, value in os.environ.items() if not key.startswith("PYTEST_")}
    tests = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider"], check=False, cwd=root, env=env,
        capture_output=True, text=True, timeout=120,
    )
    assert tests.returncode == 0, tests.stdout + tests.stderr
    assert "3 passed" in tests.stdout
    server = run_dev(root)
    assert get(server.url + "/increment") == '{"value": 1}'
    assert (root / ".wrangler" / "state" / "v3" / "do" / "fresh-Counter").is_dir()


def test_cli_init_test_is_the_readme_example() -> None:
    readme = (REPO / "README.md").read_text()
    section = readme[readme.index("## Testing your worker"):]
    assert section[section.index("```python\n") + len("```python\n"):].startswith(TEST + "```")
