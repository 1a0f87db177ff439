"""Kind + parameters: what a notification's templates read, stored as JSON, so it is rendered when shown.

`notify()` renders the kind's `subject.txt` and `body.txt` once per site language with every object of
the context wrapped in a `_Recorder`. The recorder hands the template the real values and writes down
each one it was asked for (`consultation.vet.full_name` -> `{"consultation": {"vet": {"full_name": ...}}}`),
including what `{{ pet }}` printed and what `{% if booking %}` saw. What is stored is therefore exactly
what the templates need — names, amounts, times — and nothing else (no password hash, no whole rows).

Values that depend on the language they were read in (a choice label, a translated `__str__`) differ
between the passes and are stored per language (`{"__i18n__": {"id": "…", "en": "…"}}`); times stay
times (`{"__dt__": "…"}`) so that the reader's zone and format apply when shown.

`restore()` turns the JSON back into a context the same templates render from (`Snap` answers the
template's lookups), so showing a notification needs no query and no object that may since have been
deleted.
"""

import datetime
import decimal
import uuid
import zoneinfo

from django.db.models import Manager, Model, QuerySet
from django.utils import translation
from django.utils.functional import Promise

VERSION = 1
_PRIMITIVES = (str, int, float, bool, type(None))


def _leaf(value):
    """A JSON-able form of a plain value, or None when `value` is an object to record into."""
    if isinstance(value, Promise):
        return str(value)
    if isinstance(value, bool | int | float | str) or value is None:
        return value
    if isinstance(value, datetime.datetime):
        return {"__dt__": value.isoformat()}
    if isinstance(value, datetime.date):
        return {"__date__": value.isoformat()}
    if isinstance(value, datetime.time):
        return {"__time__": value.isoformat()}
    if isinstance(value, datetime.timedelta):
        return {"__td__": value.total_seconds()}
    if isinstance(value, decimal.Decimal):
        return {"__dec__": str(value)}
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, zoneinfo.ZoneInfo):
        return {"__tz__": value.key}
    if isinstance(value, datetime.tzinfo):
        return {"__tz__": "UTC"} if value.utcoffset(None) == datetime.timedelta(0) else str(value)
    return _NOT_A_LEAF


_NOT_A_LEAF = object()


def _wrap(value, record: dict, key: str):
    """Record `value` under `key` in `record` and give the template what it should see."""
    leaf = _leaf(value)
    if leaf is not _NOT_A_LEAF:
        record[key] = leaf
        return value
    if isinstance(value, QuerySet | list | tuple | set | frozenset):
        items = []
        shown = []
        for item in value:
            holder: dict = {}
            shown.append(_wrap(item, holder, "v"))
            items.append(holder.get("v"))
        record[key] = {"__list__": items}
        return shown
    if isinstance(value, dict):
        inner = record.setdefault(key, {}) if isinstance(record.get(key), dict) else {}
        record[key] = inner
        return _Recorder(value, inner)
    inner = record.get(key) if isinstance(record.get(key), dict) else {}
    record[key] = inner
    return _Recorder(value, inner)


class _Recorder:
    """Stands in for an object while a template reads it; writes down what was read."""

    __slots__ = ("_obj", "_record")

    def __init__(self, obj, record: dict):
        self._obj = obj
        self._record = record

    def __getitem__(self, key):
        if isinstance(self._obj, dict):
            return _wrap(self._obj[key], self._record, str(key))
        raise KeyError(key)  # the template then tries the attribute

    def __getattr__(self, name):
        if name.startswith("_"):
            raise AttributeError(name)
        value = getattr(self._obj, name)
        if callable(value) and not isinstance(value, Model | Manager | QuerySet):
            if getattr(value, "alters_data", False):
                raise AttributeError(name)
            value = value()
        return _wrap(value, self._record, name)

    def __str__(self):
        text = str(self._obj)
        self._record["__str__"] = text
        return text

    def __bool__(self):
        truth = bool(self._obj)
        self._record["__bool__"] = truth
        return truth

    def __eq__(self, other):
        other = other._obj if isinstance(other, _Recorder) else other
        return self._obj == other

    __hash__ = None


def record(render, context: dict, languages) -> tuple[dict, dict]:
    """Run `render(context)` once per language with the objects of `context` recorded.

    Returns (params, results): params is the JSON to store; results maps each language to what
    `render` returned in it (the real rendering: the recorder hands the templates the real values).
    """
    passes = {}
    results = {}
    for language in languages:
        taken: dict = {}
        wrapped = {key: _wrap(value, taken, key) for key, value in context.items()}
        with translation.override(language):
            results[language] = render(wrapped)
        passes[language] = taken
    return {"v": VERSION, "values": _merge(passes)}, results


def _merge(passes: dict):
    """One tree from the per-language trees; leaves that differ become {"__i18n__": {lang: value}}."""
    languages = list(passes)
    trees = [passes[lang] for lang in languages]
    if all(isinstance(t, dict) and not _is_tagged(t) for t in trees):
        keys = []
        for tree in trees:
            keys.extend(k for k in tree if k not in keys)
        merged = {}
        for key in keys:
            present = {lang: passes[lang][key] for lang in languages if key in passes[lang]}
            merged[key] = _merge(present) if len(present) > 1 else next(iter(present.values()))
        return merged
    if (
        all(isinstance(t, dict) and "__list__" in t for t in trees)
        and len({len(t["__list__"]) for t in trees}) == 1
    ):
        return {
            "__list__": [
                _merge({lang: passes[lang]["__list__"][i] for lang in languages})
                for i in range(len(trees[0]["__list__"]))
            ]
        }
    if all(t == trees[0] for t in trees):
        return trees[0]
    return {"__i18n__": dict(zip(languages, trees, strict=True))}


def _is_tagged(value: dict) -> bool:
    return len(value) == 1 and next(iter(value)) in {
        "__dt__",
        "__date__",
        "__time__",
        "__td__",
        "__dec__",
        "__tz__",
        "__list__",
        "__i18n__",
    }


class Snap:
    """A recorded object: answers the template's lookups from the stored values."""

    __slots__ = ("_values",)

    def __init__(self, values: dict):
        self._values = values

    def __getitem__(self, key):
        if key in self._values and key not in ("__str__", "__bool__"):
            return restore_value(self._values[key])
        raise KeyError(key)

    def __str__(self):
        return str(restore_value(self._values.get("__str__", "")))

    def __bool__(self):
        return bool(self._values.get("__bool__", True))

    def __eq__(self, other):
        return isinstance(other, Snap) and other._values == self._values

    __hash__ = None


def restore_value(value):
    if isinstance(value, list):
        return [restore_value(v) for v in value]
    if not isinstance(value, dict):
        return value
    if _is_tagged(value):
        ((tag, raw),) = value.items()
        if tag == "__i18n__":
            language = translation.get_language() or ""
            chosen = raw.get(language, raw.get(language.split("-")[0]))
            if chosen is None:
                chosen = next(iter(raw.values()), "")
            return restore_value(chosen)
        if tag == "__dt__":
            return datetime.datetime.fromisoformat(raw)
        if tag == "__date__":
            return datetime.date.fromisoformat(raw)
        if tag == "__time__":
            return datetime.time.fromisoformat(raw)
        if tag == "__td__":
            return datetime.timedelta(seconds=raw)
        if tag == "__dec__":
            return decimal.Decimal(raw)
        if tag == "__tz__":
            return zoneinfo.ZoneInfo(raw)
        if tag == "__list__":
            return [restore_value(v) for v in raw]
    return Snap(value)


def restore(params: dict) -> dict | None:
    """The template context stored by `record()`, or None for a row without parameters (old rows)."""
    if (
        not isinstance(params, dict)
        or params.get("v") != VERSION
        or not isinstance(params.get("values"), dict)
    ):
        return None
    return {key: restore_value(value) for key, value in params["values"].items()}
