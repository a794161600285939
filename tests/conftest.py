import os
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
# nbgrader runs `alembic` from PATH: use this environment's scripts.
os.environ["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}"

from autograder import paths  # noqa: E402


@pytest.fixture(scope="session")
def slugs():
    return paths.slugs()
