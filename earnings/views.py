import csv
import datetime

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from . import services, statements
from .access import get_partner_for_user, partners_for_user
from .models import Kind, Payout


def _month(value: str | None) -> datetime.date | None:
    """'2026-11' -> 2026-11-01; None when it is not a month."""
    try:
        return datetime.datetime.strptime(value or "", "%Y-%m").date()
    except ValueError:
        return None


@login_required
def earnings_home(request):
    """A vet's or salon manager's (or lister's) earnings: the month, its lines, history, balance owed."""
    partners = partners_for_user(request.user)
    if not partners:
        raise Http404("Not a partner")
    partner = partners[0]
    if request.GET.get("partner"):
        try:
            wanted = int(request.GET["partner"])
        except ValueError:
            raise Http404("No such partner") from None
        partner = next((p for p in partners if p.pk == wanted), None)
        if partner is None:
            raise Http404("No such partner")
    this_month = services.today().replace(day=1)
    month, error, status = this_month, "", 200
    if "month" in request.GET:
        month = _month(request.GET["month"])
        if month is None:
            month, status = this_month, 400
            error = _("Pick a month as YYYY-MM, for example %(example)s.") % {
                "example": f"{this_month:%Y-%m}"
            }
    lines = statements.month_lines(partner, month)
    context = {
        "partner": partner,
        "partners": partners,
        "month": month,
        "months": statements.history(partner),
        "lines": lines,
        "totals": statements.totals_of(lines),
        "balance": services.balance_owed(partner),
        "error": error,
    }
    return render(request, "earnings/home.html", context, status=status)


def _statement_context(request, partner_id: int, year: int, month: int) -> dict:
    partner = get_partner_for_user(request.user, partner_id)
    try:
        first = datetime.date(year, month, 1)
    except ValueError:
        raise Http404("No such month") from None
    lines = statements.month_lines(partner, first)
    return {
        "partner": partner,
        "month": first,
        "lines": lines,
        "totals": statements.totals_of(lines),
        "payout": Payout.objects.filter(partner=partner, month=first).first(),
    }


@login_required
def statement(request, partner_id: int, year: int, month: int):
    """The printable monthly statement."""
    return render(request, "earnings/statement.html", _statement_context(request, partner_id, year, month))


@login_required
def statement_csv(request, partner_id: int, year: int, month: int):
    context = _statement_context(request, partner_id, year, month)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = (
        f'attachment; filename="hellopet-earnings-{context["partner"].pk}-{context["month"]:%Y-%m}.csv"'
    )
    writer = csv.writer(response)
    writer.writerow(
        [_("date (Asia/Jakarta)"), _("entry"), _("kind"), _("description"), _("rate (%)"),
         _("gross (Rp)"), _("commission (Rp)"), _("partner net (Rp)"), _("payment"), _("refund")]
    )  # fmt: skip
    for line in context["lines"]:
        writer.writerow(
            [
                services.local_date(line.occurred_at).isoformat(),
                line.get_entry_display(),
                line.get_kind_display(),
                line.description,
                f"{line.rate_bp / 100:.2f}",
                line.gross,
                line.commission,
                line.partner_net,
                line.payment_id,
                line.refund_id or "",
            ]
        )
    totals = context["totals"]
    writer.writerow(
        ["", _("Total"), "", "", "", totals.gross - totals.refunds, totals.commission, totals.net, "", ""]
    )
    return response


def pricing(request):
    """Public: what partners pay, from the rules in force today (and the ones already announced)."""
    rules = services.current_rules()
    upcoming = services.upcoming_rules()
    rows = [(Kind(kind), percent, rule) for kind, (percent, rule) in rules.items()]
    example = 100_000
    rows = [
        (kind, percent, rule, services.split_at_percent(example, percent)) for kind, percent, rule in rows
    ]
    return render(request, "earnings/pricing.html", {"rows": rows, "upcoming": upcoming, "example": example})
