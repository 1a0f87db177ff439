"""Admin helpers shared by the apps (imports no app)."""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.template.response import TemplateResponse
from django.utils.translation import gettext_lazy as _


class ReadOnlyAdmin(admin.ModelAdmin):
    """A record nobody adds, edits or deletes in admin (audit trails, ledgers, what Midtrans said)."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class RejectReasonForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 3}))


class RejectWithReasonMixin:
    """A bulk "reject with a reason" for a review queue: the first POST shows the pending rows and asks
    for the reason (templates/admin/reject_with_reason.html), the second rejects each row through the
    app's service, which tells the person why.

    A ModelAdmin sets the texts and `reject_one`, and calls `reject_with_reason` from its action:

        @admin.action(description=_("Reject selected (with a reason)…"))
        def reject_selected(self, request, queryset):
            return self.reject_with_reason(request, queryset.filter(status=PENDING))
    """

    reject_reason_label = _("Reason")
    reject_title = _("Reject")
    reject_intro = ""  # what happens, who is told
    reject_empty = _("None of the selected items is pending.")

    def reject_one(self, request, obj, reason: str) -> None:
        """Reject one row through the app's service (raises ValidationError when it cannot)."""
        raise NotImplementedError(f"{type(self).__name__} must say how one row is rejected")

    def reject_item_label(self, obj) -> str:
        return str(obj)

    def reject_with_reason(self, request, pending):
        form = RejectReasonForm(request.POST if "reason" in request.POST else None)
        form.fields["reason"].label = self.reject_reason_label
        if form.is_bound and form.is_valid():
            done = 0
            for obj in pending:
                try:
                    self.reject_one(request, obj, form.cleaned_data["reason"])
                    done += 1
                except ValidationError as error:
                    self.message_user(request, "; ".join(error.messages), messages.ERROR)
            self.message_user(request, _("%(count)d rejected.") % {"count": done}, messages.SUCCESS)
            return None
        return TemplateResponse(
            request,
            "admin/reject_with_reason.html",
            {
                **self.admin_site.each_context(request),
                "title": self.reject_title,
                "intro": self.reject_intro,
                "empty": self.reject_empty,
                "form": form,
                "items": [(obj.pk, self.reject_item_label(obj)) for obj in pending],
                "opts": self.model._meta,
                "action": request.POST.get("action", ""),
                "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
            },
        )
