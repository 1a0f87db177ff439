import csv

from django.contrib import admin
from django.http import HttpResponse
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _

from earnings.stats import top_partners

from . import stats
from .charts import bar_chart
from .forms import PeriodForm


def _period(request):
    form = PeriodForm(request.GET or None)
    if not form.is_bound:
        period = stats.MonthRange.last_twelve()
        form = PeriodForm(initial={"start": f"{period.first:%Y-%m}", "end": f"{period.last:%Y-%m}"})
        return form, period
    return form, (form.cleaned_data["period"] if form.is_valid() else None)


def dashboard(request):
    """Staff only (wrapped by admin_view in urls.py): the monthly charts with their numbers."""
    form, period = _period(request)
    context = {
        **admin.site.each_context(request),
        "title": _("Statistics"),
        "form": form,
        "period": period,
        "charts": [],
    }
    if period is None:
        return TemplateResponse(request, "admin/adminsite/dashboard.html", context, status=400)
    context["charts"] = [(stat, bar_chart(stat)) for stat in stats.all_statistics(period)]
    context["top_partners"] = top_partners(period.first, period.last)
    context["export_query"] = f"start={period.first:%Y-%m}&end={period.last:%Y-%m}"
    return TemplateResponse(request, "admin/adminsite/dashboard.html", context)


def export_csv(request):
    form, period = _period(request)
    if period is None:
        errors = "; ".join(str(e) for errors in form.errors.values() for e in errors)
        return HttpResponse(errors, status=400, content_type="text/plain; charset=utf-8")
    results = stats.all_statistics(period)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = (
        f'attachment; filename="hellopet-stats-{period.first:%Y-%m}-{period.last:%Y-%m}.csv"'
    )
    writer = csv.writer(response)
    header = [_("month (Asia/Jakarta)")]
    for stat in results:
        header += [f"{stat.title}: {series.label}" for series in stat.series]
    writer.writerow(header)
    for i, month in enumerate(period.months):
        row = [f"{month:%Y-%m}"]
        for stat in results:
            row += ["" if s.values[i] is None else s.values[i] for s in stat.series]
        writer.writerow(row)
    return response
