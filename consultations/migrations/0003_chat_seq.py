import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


def number_existing_messages(apps, schema_editor):
    """Give every stored message its seq (id order = the order clients saw) and each consultation
    with messages its counter row."""
    Message = apps.get_model("consultations", "Message")
    ChatSequence = apps.get_model("consultations", "ChatSequence")
    current, n, counters = None, 0, {}
    batch = []
    for message in Message.objects.order_by("consultation_id", "id").only("id", "consultation_id").iterator():
        if message.consultation_id != current:
            current, n = message.consultation_id, 0
        n += 1
        message.seq = n
        counters[current] = n
        batch.append(message)
        if len(batch) >= 1000:
            Message.objects.bulk_update(batch, ["seq"])
            batch = []
    if batch:
        Message.objects.bulk_update(batch, ["seq"])
    ChatSequence.objects.bulk_create(
        [ChatSequence(consultation_id=cid, last_seq=last) for cid, last in counters.items()]
    )


class Migration(migrations.Migration):
    dependencies = [
        ("consultations", "0002_specialties"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="ChatSequence",
            fields=[
                (
                    "consultation",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.CASCADE,
                        primary_key=True,
                        related_name="chat_sequence",
                        serialize=False,
                        to="consultations.consultation",
                    ),
                ),
                ("last_seq", models.BigIntegerField(default=0)),
            ],
            options={"verbose_name": "chat sequence", "verbose_name_plural": "chat sequences"},
        ),
        migrations.AddField(model_name="message", name="seq", field=models.BigIntegerField(null=True)),
        migrations.RunPython(number_existing_messages, migrations.RunPython.noop),
        migrations.AlterField(model_name="message", name="seq", field=models.BigIntegerField()),
        migrations.AddConstraint(
            model_name="message",
            constraint=models.UniqueConstraint(
                fields=("consultation", "seq"), name="message_consultation_seq"
            ),
        ),
    ]
