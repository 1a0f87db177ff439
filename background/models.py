from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class TaskFailure(models.Model):
    """A background task that failed for good (its retries are exhausted): staff see it and can retry."""

    task_name = models.CharField(_("task"), max_length=200, db_index=True)
    task_id = models.CharField(_("task id"), max_length=100)
    arguments = models.TextField(_("arguments"), blank=True)
    # The task as Huey serialises it (base64), so "retry" enqueues exactly the same call again.
    payload = models.TextField(editable=False)
    error = models.CharField(_("error"), max_length=500)
    traceback = models.TextField(_("traceback"), blank=True)
    failed_at = models.DateTimeField(_("failed"), auto_now_add=True, db_index=True)
    retried_at = models.DateTimeField(_("retried"), null=True, blank=True)
    retried_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-failed_at", "-pk"]
        verbose_name = _("failed task")
        verbose_name_plural = _("failed tasks")

    def __str__(self):
        return f"{self.task_name} ({self.failed_at:%Y-%m-%d %H:%M})"
