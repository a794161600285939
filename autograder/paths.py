"""Where things live in the repository."""
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
ASSIGNMENTS = REPO / "assignments"
SOLUTIONS = REPO / "solutions"
RELEASE = REPO / "release"
BUILD = REPO / "build"
STUDENT_FILES = Path(__file__).resolve().parent / "student"


def slugs() -> list[str]:
    """Every assignment, in course order."""
    return sorted(p.name for p in ASSIGNMENTS.iterdir() if (p / f"{p.name}.py").is_file())


def notebook_source(slug: str) -> Path:
    return ASSIGNMENTS / slug / f"{slug}.py"


def reference_module(slug: str) -> Path:
    return SOLUTIONS / slug / "reference.py"
