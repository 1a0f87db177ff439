"""Fails when the lock files no longer match pyproject.toml (someone changed a pin and did not `make lock`).

Run by `make install` and `make test` (so by CI) with the plain python3, before any virtualenv exists:
standard library only. Every pin in pyproject.toml (dependencies and the extras each lock is built from)
must appear in that lock at the same version, and every package the lock says came from pyproject.toml
("# via hellopet") must still be pinned there. `--pin NAME` prints NAME's pinned version (for `make lock`).
"""

import re
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# Each lock file and the extras it is compiled with (keep in step with `make lock`).
LOCKS = {"requirements/dev.txt": ("dev", "prod"), "requirements/prod.txt": ("prod",)}
PROJECT = "hellopet"


def normalize(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def pyproject_pins(extras: tuple[str, ...]) -> dict[str, str]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    specs = list(project["dependencies"])
    for extra in extras:
        specs += project.get("optional-dependencies", {}).get(extra, [])
    pins = {}
    for spec in specs:
        match = re.fullmatch(r"\s*([A-Za-z0-9._-]+)(?:\[[^\]]*\])?\s*==\s*([^\s;]+)\s*", spec)
        if not match:
            raise SystemExit(f"pyproject.toml: {spec!r} is not an exact pin (name==version); pin it")
        pins[normalize(match[1])] = match[2]
    return pins


def build_requires() -> list[str]:
    """The build backend (setuptools): locked too, as `make install` builds the project without isolation."""
    return tomllib.loads((ROOT / "pyproject.toml").read_text())["build-system"]["requires"]


def lock_contents(path: Path) -> tuple[dict[str, str], set[str]]:
    """(every pinned package -> version, the packages annotated as coming straight from pyproject)."""
    pinned, direct = {}, set()
    current = None
    for line in path.read_text().splitlines():
        match = re.match(r"^([A-Za-z0-9._-]+)==([^\s\\]+)", line)
        if match:
            current = normalize(match[1])
            pinned[current] = match[2]
        elif current and re.match(rf"^\s+#\s+(via\s+)?{PROJECT} \(", line.replace("#   ", "# ")):
            direct.add(current)
    return pinned, direct


def problems() -> list[str]:
    found = []
    for rel, extras in LOCKS.items():
        path = ROOT / rel
        if not path.exists():
            found.append(f"{rel} is missing")
            continue
        want = pyproject_pins(extras)
        pinned, direct = lock_contents(path)
        for name, version in sorted(want.items()):
            if name not in pinned:
                found.append(f"{rel}: {name}=={version} is in pyproject.toml but not in the lock")
            elif pinned[name] != version:
                found.append(f"{rel}: {name} is {version} in pyproject.toml but {pinned[name]} in the lock")
        build = {normalize(re.split(r"[<>=!~ \[;]", spec, maxsplit=1)[0]) for spec in build_requires()}
        for name in sorted(direct - set(want) - build):
            found.append(f"{rel}: {name} came from pyproject.toml, which no longer names it")
    return found


def main(argv: list[str]) -> int:
    if argv[:1] == ["--pin"]:
        print(pyproject_pins(("dev", "prod"))[normalize(argv[1])])
        return 0
    found = problems()
    if found:
        print("The lock files are out of date with pyproject.toml:", file=sys.stderr)
        for line in found:
            print(f"  - {line}", file=sys.stderr)
        print("Run `make lock` and commit requirements/*.txt (docs/development.md).", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
