"""code_version(): the version, plus the commit when running from a git checkout."""

from __future__ import annotations

import shutil
import subprocess

import pytest

from sidedoor.provenance import code_version, package_version


def test_outside_a_checkout_is_the_version_alone(tmp_path):
    assert code_version(tmp_path) == package_version()
    assert code_version(tmp_path / "missing") == package_version()


def test_installed_package_reports_something():
    assert code_version().startswith(package_version())


@pytest.mark.skipif(shutil.which("git") is None, reason="git not installed")
def test_checkout_adds_commit_and_dirty(tmp_path):
    """In a throwaway repository (never the project's): commit, then a tracked change."""
    package = tmp_path / "sidedoor"
    package.mkdir()
    (package / "__init__.py").write_text("x = 1\n")

    def git(*args: str) -> str:
        return subprocess.run(
            ["git", "-c", "user.name=t", "-c", "user.email=t@example.org", *args],
            cwd=tmp_path, check=True, capture_output=True, text=True,
        ).stdout.strip()

    git("init", "-q")
    git("add", ".")
    git("commit", "-q", "-m", "init")
    commit = git("rev-parse", "--short=12", "HEAD")
    assert code_version(package) == f"{package_version()}+{commit}"
    (tmp_path / "untracked.txt").write_text("ignored")
    assert code_version(package) == f"{package_version()}+{commit}"
    (package / "__init__.py").write_text("x = 2\n")
    assert code_version(package) == f"{package_version()}+{commit}-dirty"
