"""A faster restore for the suite's transactional tests (pytest-django's serialized rollback).

A transactional test (a live server, real threads, database races) cannot run inside a transaction
that is rolled back, so it ends by emptying every table, and the next one restores what migrations
put there (regions, species, specialties, content types, permissions: ~900 rows). Django restores
them one `save()` at a time, an UPDATE then an INSERT for each row: ~0.25 s for each of the suite's
~115 such tests. This restores the same rows, parsed once per process, with one multi-row INSERT per
model and batch (once the tables are empty: after a flush), written raw (the stored values as they
are, as Django's raw save does), inside one transaction, with the same constraint check at the end.
tests/test_test_isolation.py checks that the database after this restore serializes exactly as the
one migrations built.
"""

from io import StringIO

from django.core import serializers
from django.db import transaction
from django.db.backends.base.creation import BaseDatabaseCreation

_django_restore = BaseDatabaseCreation.deserialize_db_from_string
_plans: dict = {}


def _plan(alias: str, data: str):
    """[(model, [objects])] in the order the data lists them, and the objects with many-to-many data."""
    key = (alias, hash(data), len(data))
    if key not in _plans:
        groups, m2m = [], []
        for deserialized in serializers.deserialize("json", StringIO(data), using=alias):
            obj = deserialized.object
            if groups and groups[-1][0] is type(obj):
                groups[-1][1].append(obj)
            else:
                groups.append((type(obj), [obj]))
            if deserialized.m2m_data:
                m2m.append(deserialized)
        _plans[key] = (groups, m2m)
    return _plans[key]


def deserialize_db_from_string(self, data):
    connection = self.connection
    alias = connection.alias
    groups, m2m = _plan(alias, data)
    if any(model._base_manager.using(alias).exists() for model, _ in groups):
        # Not after a flush (the first transactional test of a process finds the migrated rows still
        # there): Django's restore, which updates the rows that exist.
        return _django_restore(self, data)
    table_names = set()
    with transaction.atomic(using=alias), connection.constraint_checks_disabled():
        for model, objects in groups:
            fields = model._meta.local_concrete_fields
            size = connection.ops.bulk_batch_size(fields, objects) or len(objects)
            manager = model._base_manager.using(alias)
            for start in range(0, len(objects), size):
                manager._insert(objects[start : start + size], fields=fields, using=alias, raw=True)
            table_names.add(model._meta.db_table)
        for deserialized in m2m:
            for accessor, related in deserialized.m2m_data.items():
                getattr(deserialized.object, accessor).set(related)
        connection.check_constraints(table_names=table_names)


def install() -> None:
    BaseDatabaseCreation.deserialize_db_from_string = deserialize_db_from_string


def django_restore(creation, data) -> None:
    """Django's own restore, for the check that both give the same database."""
    _django_restore(creation, data)
