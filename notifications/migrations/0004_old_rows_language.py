"""Rows stored before kind + parameters: their frozen title and text stay as they are (shown as a
fallback, see docs/notifications.md), marked with the language they were written in — the recipient's
language, which is what notify() rendered them in — so that the page can say so (`lang`) when the reader
has switched to the other language. Parameters cannot be re-derived honestly for old rows (the texts
were rendered from objects that may have changed or gone since), so none are invented."""

from django.db import migrations
from django.db.models import OuterRef, Subquery


def mark_language(apps, schema_editor):
    Notification = apps.get_model("notifications", "Notification")
    User = apps.get_model("accounts", "User")
    language = User.objects.filter(pk=OuterRef("recipient_id")).values("language")[:1]
    Notification.objects.filter(language="").update(language=Subquery(language))


class Migration(migrations.Migration):
    dependencies = [
        ("notifications", "0003_params_and_language"),
        ("accounts", "0003_ktp_retention_and_document_audit"),
    ]

    operations = [migrations.RunPython(mark_language, migrations.RunPython.noop)]
