"""Which code produced a run: the package version, plus the git commit in a checkout.

Stored with every run so a result can be traced to the exact code that made it. Git is only
asked read-only questions, without optional locks, so this never disturbs a checkout that
someone is committing to at the same time.
"""

from __future__ import annotations

import os
import subprocess
from importlib import metadata
from pathlib import Path

_PACKAGE_DIR = Path(__file__).resolve().parent
_GIT_TIMEOUT_SECONDS = 5.0


def package_version() -> str:
    """The installed distribution's version, or the module's when metadata is missing."""
    try:
        return metadata.version("sidedoor")
    except metadata.PackageNotFoundError:
        from sidedoor import __version__

        return __version__


def _git(args: list[str], cwd: Path) -> str | None:
    """Output of a read-only git command, or None when git is missing or fails."""
    env = {**os.environ, "GIT_OPTIONAL_LOCKS": "0", "LC_ALL": "C"}
    try:
        done = subprocess.run(
            ["git", *args], cwd=cwd, env=env, capture_output=True, text=True,
            timeout=_GIT_TIMEOUT_SECONDS, check=False,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    return done.stdout.strip() if done.returncode == 0 else None


def git_commit(package_dir: Path = _PACKAGE_DIR) -> str | None:
    """Short commit (with ``-dirty``) when the package is tracked in a git work tree.

    An installed copy (site-packages) inside some unrelated repository is not tracked there,
    so it reports no commit rather than that repository's.
    """
    if not package_dir.is_dir():
        return None
    if _git(["ls-files", "--error-unmatch", "__init__.py"], package_dir) is None:
        return None
    commit = _git(["rev-parse", "--short=12", "HEAD"], package_dir)
    if not commit:
        return None
    top = _git(["rev-parse", "--show-toplevel"], package_dir)
    changes = _git(["status", "--porcelain", "--untracked-files=no"], Path(top or package_dir))
    return f"{commit}-dirty" if changes else commit


def code_version(package_dir: Path = _PACKAGE_DIR) -> str:
    """``<version>+<commit>[-dirty]`` from a git checkout, else ``<version>``; never raises."""
    try:
        version = package_version()
    except Exception:  # noqa: BLE001 - provenance must never break a run
        version = "unknown"
    try:
        commit = git_commit(package_dir)
    except Exception:  # noqa: BLE001
        commit = None
    return f"{version}+{commit}" if commit else version
