"""The bench scripts put bench/ first on sys.path: a module there named like a project package would hide
it (bench/common.py once hid common/, and every bench failed at django.setup())."""

from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_no_bench_module_shadows_a_project_package():
    packages = {p.parent.name for p in ROOT.glob("*/__init__.py")}
    bench_modules = {p.stem for p in (ROOT / "bench").glob("*.py")}
    assert "common" in packages and "hellopet" in packages
    assert bench_modules & packages == set()
