"""The house plan, checked: which package may import which (docs/architecture.md, "Map").

Every import of the project is read with `ast` — module-level and inside functions, `import x` and
`from x import y`, relative imports resolved — and compared with the allow-list below. A package may
import itself, the standard library and third-party packages freely; of the project's own packages only
the ones listed. Nothing imports `hellopet` (settings, urls, asgi/wsgi, routing): code reads settings
through `django.conf.settings`, and `hellopet.urls` is the root of the URL tree, never a dependency.
"""

import ast
import importlib
from pathlib import Path

import pytest
from django.utils import timezone

from adoption.models import ApplicationEvent
from common.models import ActorEvent, Event
from grooming.models import BookingEvent
from payments.models import PaymentEvent
from payments.registry import handler_for

ROOT = Path(__file__).resolve().parent.parent

FEATURE_APPS = {"consultations", "grooming", "adoption", "articles"}
FOUNDATION = {"common", "background", "notifications", "accounts"}

# package -> the project packages it may import (besides itself)
ALLOWED: dict[str, set[str]] = {
    # shared helpers: no app at all
    "common": set(),
    # the task queue: helpers only
    "background": {"common"},
    # people and their messages: no feature app, no payments
    "accounts": {"common", "background", "notifications"},
    "notifications": {"common", "background", "accounts"},
    # payments hears from the paid-for apps through payments.registry only
    "payments": FOUNDATION,
    # earnings learns partners through earnings.registry (grooming registers salons)
    "earnings": FOUNDATION | {"payments"},
    # the pet record; feature apps fill pets.registry
    "pets": FOUNDATION,
    # feature apps: never each other
    **{app: FOUNDATION | {"payments", "earnings", "pets"} for app in FEATURE_APPS},
    # the staff dashboard and the site's own pages read across the apps (nothing imports them)
    "adminsite": FOUNDATION | {"payments", "earnings", "pets"} | FEATURE_APPS,
    "pages": FOUNDATION | {"payments", "earnings", "pets"} | FEATURE_APPS,
    # the wiring: settings, urls, asgi/wsgi, routing
    "hellopet": FOUNDATION | {"payments", "earnings", "pets", "adminsite", "pages"} | FEATURE_APPS,
}
NOBODY_IMPORTS = {"hellopet.urls"}


def project_packages(root: Path) -> set[str]:
    return {
        path.parent.name
        for path in root.glob("*/__init__.py")
        if path.parent.name not in {"tests", "bench"} and not path.parent.name.startswith(".")
    }


def imports_of(source: str, module: str, is_package: bool = False) -> list[tuple[int, str]]:
    """(line, imported module) for every import in `source`, the module's dotted name being `module`."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                parts = module.split(".")
                base = parts if is_package else parts[:-1]
                base = base[: len(base) - (node.level - 1)]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module
            found.append((node.lineno, target))
            # `from hellopet import urls` imports hellopet.urls
            found += [(node.lineno, f"{target}.{alias.name}") for alias in node.names]
    return found


def problem_of(package, targets, packages, allowed, nobody_imports) -> str | None:
    """What is wrong with one import statement (its module and, for `from`, module.name), if anything."""
    for target in targets:
        if any(target == name or target.startswith(name + ".") for name in nobody_imports):
            return f"imports {target} (nothing may)"
    for target in targets:
        top = target.split(".")[0]
        if top in packages and top != package and top not in allowed[package]:
            return f"{package} must not import {target}"
    return None


def violations(root: Path, allowed=ALLOWED, nobody_imports=NOBODY_IMPORTS) -> list[str]:
    packages = project_packages(root)
    problems = []
    for package in sorted(packages):
        if package not in allowed:
            problems.append(f"{package}/: a new package; give it a line in ALLOWED and the map")
            continue
        for path in sorted((root / package).rglob("*.py")):
            relative = path.relative_to(root)
            is_package = path.name == "__init__.py"
            parts = relative.with_suffix("").parts
            module = ".".join(parts[:-1] if is_package else parts)
            by_line: dict[int, list[str]] = {}
            for line, target in imports_of(path.read_text(encoding="utf-8"), module, is_package):
                by_line.setdefault(line, []).append(target)
            for line, targets in by_line.items():
                problem = problem_of(package, targets, packages, allowed, nobody_imports)
                if problem:
                    problems.append(f"{relative}:{line}: {problem}")
    return sorted(set(problems))


def test_every_import_of_the_project_follows_the_house_plan():
    assert violations(ROOT) == []


def test_the_rules_know_every_package():
    assert project_packages(ROOT) <= set(ALLOWED)
    assert {"common", "pages", "hellopet", "payments", "pets", *FEATURE_APPS} <= project_packages(ROOT)


def write(root: Path, relative: str, text: str = "") -> None:
    path = root / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


@pytest.fixture
def tree(tmp_path):
    """A small project that follows the rules; each test below breaks one."""
    for package in ALLOWED:
        write(tmp_path, f"{package}/__init__.py")
    write(tmp_path, "grooming/services.py", "from accounts.models import User\nfrom pets import registry\n")
    write(tmp_path, "pages/views.py", "from adoption.models import Pet\nfrom grooming.selectors import x\n")
    write(tmp_path, "hellopet/urls.py", "from django.urls import include\nfrom pages import urls\n")
    write(tmp_path, "tests/test_x.py", "from hellopet.urls import urlpatterns\n")
    return tmp_path


def test_a_tree_that_follows_the_rules_passes(tree):
    assert violations(tree) == []


@pytest.mark.parametrize(
    ("relative", "source", "expected"),
    [
        ("common/uploads.py", "from accounts.models import User\n", "common must not import accounts.models"),
        (
            "payments/services.py",
            "def hook():\n    from grooming.models import Booking\n",
            "payments must not import grooming.models",
        ),
        ("accounts/views.py", "import adoption.models\n", "accounts must not import adoption.models"),
        ("notifications/x.py", "from consultations import models\n", "must not import consultations"),
        ("background/x.py", "from payments.tasks import refund\n", "background must not import payments"),
        ("pets/x.py", "from adoption.models import Pet\n", "pets must not import adoption.models"),
        ("adoption/x.py", "from grooming import services\n", "adoption must not import grooming"),
        ("grooming/x.py", "from adminsite import stats\n", "grooming must not import adminsite"),
        ("articles/x.py", "from pages.views import home\n", "articles must not import pages.views"),
        ("earnings/x.py", "from grooming.models import Salon\n", "earnings must not import grooming"),
        ("pages/x.py", "from hellopet.urls import urlpatterns\n", "imports hellopet.urls (nothing may)"),
        ("adminsite/x.py", "from hellopet import urls\n", "imports hellopet.urls (nothing may)"),
        ("accounts/x.py", "from hellopet.settings import DEBUG\n", "accounts must not import hellopet"),
        ("grooming/sub/deep.py", "from ...adoption import models\n", "grooming must not import adoption"),
    ],
)
def test_a_forbidden_import_fails_the_check(tree, relative, source, expected):
    write(tree, relative, source)
    problems = violations(tree)
    assert len(problems) == 1
    assert relative in problems[0]
    assert expected in problems[0]


def test_a_package_without_rules_fails_the_check(tree):
    write(tree, "newthing/__init__.py")
    assert violations(tree) == ["newthing/: a new package; give it a line in ALLOWED and the map"]


def test_relative_imports_resolve_inside_the_package():
    assert (3, "grooming.models") in imports_of("\n\nfrom .models import Salon\n", "grooming.views")
    assert (1, "grooming.models") in imports_of("from .models import Salon\n", "grooming", is_package=True)
    assert (1, "pets.registry") in imports_of("from ..registry import x\n", "pets.management.cmd")


PAID_FOR_APPS = ["consultations", "grooming", "adoption"]


@pytest.mark.parametrize("app", PAID_FOR_APPS)
def test_every_paid_for_app_registers_its_hooks_one_way(app):
    """`<app>/models.py: PURPOSE`, the handler in `<app>/payment_hooks.py`, registered under PURPOSE."""
    purpose = importlib.import_module(f"{app}.models").PURPOSE
    assert type(handler_for(purpose)).__module__ == f"{app}.payment_hooks"


def purpose_literals(root: Path) -> list[str]:
    """Every `purpose="..."` keyword with a string literal in the project's code (not tests)."""
    found = []
    for package in sorted(project_packages(root)):
        for path in sorted((root / package).rglob("*.py")):
            if "migrations" in path.parts:
                continue
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                literal = isinstance(node, ast.keyword) and isinstance(node.value, ast.Constant)
                if literal and node.arg == "purpose" and isinstance(node.value.value, str):
                    found.append(f"{path.relative_to(root)}:{node.value.lineno}")
    return found


def test_payment_purposes_are_never_literals(tmp_path):
    assert purpose_literals(ROOT) == []
    write(tmp_path, "grooming/__init__.py")
    write(tmp_path, "grooming/services.py", 'payment_create(purpose="grooming", amount=1)\n')
    assert purpose_literals(tmp_path) == ["grooming/services.py:1"]


def test_event_tables_share_one_base():
    assert issubclass(ApplicationEvent, ActorEvent) and issubclass(BookingEvent, ActorEvent)
    assert issubclass(PaymentEvent, Event) and not issubclass(PaymentEvent, ActorEvent)
    for model in (ApplicationEvent, BookingEvent, PaymentEvent):
        assert model._meta.ordering == ["created_at", "pk"]
        assert model._meta.get_field("created_at").default is timezone.now


def test_every_paginated_list_uses_the_one_pager():
    templates = [path for path in ROOT.glob("**/templates/**/*.html") if ".venv" not in path.parts]
    own_pagers = [
        str(path.relative_to(ROOT))
        for path in templates
        if path.name != "_pagination.html" and "page.has_previous" in path.read_text(encoding="utf-8")
    ]
    assert own_pagers == []
    users = {
        path.parent.name for path in templates if '"_pagination.html"' in path.read_text(encoding="utf-8")
    }
    assert {"consultations", "grooming", "adoption", "articles", "notifications"} <= users


# Imports inside functions, where they have a reason (everywhere else: at the top of the module).
LATE_IMPORTS_ALLOWED = {
    # AppConfig.ready() and what it registers: models and signals once the app registry is ready
    "apps.py": None,
    # a task runs its app's services, and the services enqueue the tasks: the tasks side waits
    "tasks.py": None,
    # Huey's instance is built from settings on first use
    "background/failures.py": {"huey.contrib.djhuey"},
    "background/health.py": {"huey.contrib.djhuey"},
    # the template tag library imports the page cache
    "common/pagecache.py": {"common.templatetags.pagecache"},
}


def late_imports(root: Path) -> list[str]:
    """`module.py:line imported` for every import inside a function that LATE_IMPORTS_ALLOWED does not
    name (tests, benchmarks and migrations are not checked)."""
    found = []
    for package in sorted(project_packages(root)):
        for path in sorted((root / package).rglob("*.py")):
            if "migrations" in path.parts:
                continue
            relative = path.relative_to(root).as_posix()
            key = path.name if path.name in ("apps.py", "tasks.py") else relative
            allowed = LATE_IMPORTS_ALLOWED.get(key, set())
            for function in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                if not isinstance(function, ast.FunctionDef | ast.AsyncFunctionDef):
                    continue
                for node in ast.walk(function):
                    if isinstance(node, ast.Import):
                        names = [alias.name for alias in node.names]
                    elif isinstance(node, ast.ImportFrom):  # `from . import x` is named ".x"
                        base = "." * node.level
                        names = [base + node.module] if node.module else [base + a.name for a in node.names]
                    else:
                        continue
                    if allowed is None:
                        continue
                    found += [f"{relative}:{node.lineno} {name}" for name in names if name not in allowed]
    return sorted(set(found))


def test_imports_are_at_the_top_of_modules_unless_they_have_a_reason():
    assert late_imports(ROOT) == []


def test_a_late_import_without_a_reason_is_named(tmp_path):
    write(tmp_path, "grooming/__init__.py")
    write(tmp_path, "grooming/services.py", "def book():\n    from . import slots\n")
    write(tmp_path, "grooming/tasks.py", "def sweep():\n    from .services import book\n")
    assert late_imports(tmp_path) == ["grooming/services.py:2 .slots"]
