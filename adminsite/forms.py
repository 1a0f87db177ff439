import datetime
import re

from django import forms
from django.utils.translation import gettext_lazy as _

from .stats import MAX_MONTHS, MonthRange, add_months

MONTH_RE = re.compile(r"^(\d{4})-(\d{2})$")


class MonthField(forms.CharField):
    widget = forms.TextInput(attrs={"type": "month", "placeholder": "YYYY-MM"})
    default_error_messages = {"invalid": _("Enter a month as YYYY-MM.")}

    def to_python(self, value):
        value = super().to_python(value)
        if not value:
            return None
        match = MONTH_RE.match(value)
        if not match:
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid")
        year, month = int(match[1]), int(match[2])
        if not (2000 <= year <= 2100 and 1 <= month <= 12):
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid")
        return datetime.date(year, month, 1)


class PeriodForm(forms.Form):
    start = MonthField(label=_("From"), required=False)
    end = MonthField(label=_("To"), required=False)

    def clean(self):
        data = super().clean()
        default = MonthRange.last_twelve()
        start, end = data.get("start"), data.get("end")
        if self.errors:
            return data
        if start and not end:
            end = max(start, default.last)
        if end and not start:
            start = add_months(end, -11)
        start, end = start or default.first, end or default.last
        if start > end:
            raise forms.ValidationError(_("The start month must not be after the end month."))
        if len(MonthRange(start, end).months) > MAX_MONTHS:
            raise forms.ValidationError(
                _("Choose at most %(count)d months.") % {"count": MAX_MONTHS}, code="too_long"
            )
        data["period"] = MonthRange(start, end)
        return data
