"""Issue 13.14: every admin changelist and change page opens, with at least one object of every
registered model present, private files included (admin must never ask private storage for `.url`)."""

import datetime
import io
import uuid

import pytest
from django.contrib import admin
from django.contrib.auth.models import Group
from django.contrib.contenttypes.models import ContentType
from django.core.files.base import ContentFile
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from adoption.models import FollowUpReport
from background.models import TaskFailure
from consultations.models import Consultation, ConsultationPhoto, Message, ReadState
from earnings.models import Payout
from earnings.services import partner_for
from notifications.models import Notification
from notifications.services import queue_email
from payments.models import Payment, PaymentAttempt, PaymentNotification, Refund, SimulatedTransaction
from tests import factories
from tests.adoption.factories import ApplicationFactory, PetFactory
from tests.consultations.factories import ConsultationFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def everything(staff, owner, vet):
    call_command("seed_demo", stdout=io.StringIO())
    consultation = ConsultationFactory(owner=owner, vet=vet, status=Consultation.Status.ACTIVE)
    Message.objects.create(
        client_id=uuid.uuid4(),
        consultation=consultation,
        sender=owner,
        body="",
        attachment=ContentFile(factories.image_bytes(), name="chat.jpg"),
    )
    ConsultationPhoto.objects.create(
        consultation=consultation, image=ContentFile(factories.image_bytes(), name="complaint.jpg")
    )
    PetFactory(lister=owner, vaccination_book=ContentFile(b"%PDF-1.4\n%%EOF\n", name="book.pdf"))
    ReadState.objects.create(consultation=consultation, user=owner, last_read_id=1)
    Group.objects.create(name="Verifikator")
    Notification.objects.create(recipient=owner, kind="test", title="Halo")
    application = ApplicationFactory()
    FollowUpReport.objects.create(
        application=application,
        report_date=datetime.date(2026, 1, 5),
        photo=ContentFile(factories.image_bytes(), name="report.jpg"),
        caption="Sehat",
        condition=FollowUpReport.Condition.choices[0][0],
    )
    payment = Payment.objects.create(
        payer=owner,
        purpose="consultation",
        target_type=ContentType.objects.get_for_model(consultation),
        target_id=str(consultation.pk),
        description="Konsultasi",
        amount=50_000,
        refunded_amount=50_000,
        status=Payment.Status.REFUNDED,
        expires_at=timezone.now(),
    )
    attempt = PaymentAttempt.objects.create(
        payment=payment, order_id="HP-admin-1", amount=50_000, status="settlement", expires_at=timezone.now()
    )
    Refund.objects.create(payment=payment, amount=50_000, reason="Batal")
    PaymentNotification.objects.create(
        order_id=attempt.order_id, raw_body="{}", attempt=attempt, payment=payment
    )
    SimulatedTransaction.objects.create(
        order_id="HP-admin-1", token="tok-admin", gross_amount=50_000, expires_at=timezone.now()
    )
    TOTPDevice.objects.create(user=staff, name="phone", confirmed=True)
    queue_email(to=owner.email, subject="Halo", text="Tes", enqueue=False)
    partner = partner_for(vet, name=vet.display_name)
    Payout.objects.create(
        partner=partner,
        month=datetime.date(2026, 1, 1),
        amount=1,
        paid_on=datetime.date(2026, 2, 1),
        reference="BCA-1",
    )
    TaskFailure.objects.create(
        task_name="notifications.tasks.send_email", task_id="t1", payload="", error="x"
    )
    Client().post("/accounts/login/", {"username": owner.email, "password": "wrong"})  # axes' records
    verification = owner.identity_verifications.get()
    Client().force_login(staff)
    audited = Client()
    audited.force_login(staff)
    assert audited.get(reverse("verification_scan", args=[verification.pk])).status_code == 200
    return staff


def test_every_admin_changelist_and_change_page_opens(everything, client_for):
    client = client_for(everything)
    empty = []
    for model, model_admin in admin.site._registry.items():
        opts = model._meta
        changelist = reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist")
        response = client.get(changelist)
        assert response.status_code == 200, changelist
        obj = model_admin.get_queryset(response.wsgi_request).first()
        if obj is None:
            empty.append(opts.label)
            continue
        change = reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[obj.pk])
        assert client.get(change).status_code == 200, change
    assert empty == [], f"no object to open the change page of: {empty}"


def test_private_files_in_admin_link_to_the_access_checked_views(everything, client_for):
    client = client_for(everything)
    message = Message.objects.exclude(attachment="").get()
    page = client.get(reverse("admin:consultations_message_change", args=[message.pk])).content.decode()
    url = reverse("consultations:chat_attachment", args=[message.consultation_id, message.pk])
    assert url in page
    assert client.get(url).status_code == 200
    photo = ConsultationPhoto.objects.get()
    page = client.get(
        reverse("admin:consultations_consultation_change", args=[photo.consultation_id])
    ).content.decode()
    assert reverse("consultations:photo", args=[photo.consultation_id, photo.pk]) in page
    listing = client.get(reverse("admin:consultations_message_changelist")).content.decode()
    assert url in listing
