"""Statutory caseload figures and unit costs: the inputs of the trend and cost-avoided sections."""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render

from earlyhelp.periods import Quarter
from earlyhelp.permissions import Capability, require_capability

from .. import indicators
from ..forms import IndicatorForm, IndicatorImportForm, UnitCostForm
from ..models import Indicator, UnitCost

RUN_REPORTS = Capability.RUN_REPORTS


def _recent_quarters(tenant, count: int = 8) -> list[Quarter]:
    import datetime as dt

    last = Quarter.containing(dt.date.today(), tenant.financial_year_start_month).previous()
    return [last.shifted(-i) for i in range(count - 1, -1, -1)]


@require_capability(RUN_REPORTS)
def indicator_list(request):
    tenant = request.tenant
    form = IndicatorForm(request.POST if request.POST.get("form") == "record" else None,
                         fy_start_month=tenant.financial_year_start_month)
    upload = IndicatorImportForm(request.POST if request.POST.get("form") == "import" else None,
                                 request.FILES or None)
    problems = []
    status = 200
    if request.method == "POST" and request.POST.get("form") == "record" and form.is_valid():
        data = form.cleaned_data
        indicators.indicator_record(tenant=tenant, indicator=data["indicator"], quarter=data["quarter"],
                                    value=data["value"], source=data["source"], by=request.membership)
        messages.success(request, f"{Indicator(data['indicator']).label} for {data['quarter']} saved.")
        return redirect("reporting:indicators")
    if request.method == "POST" and request.POST.get("form") == "import" and upload.is_valid():
        problems = indicators.indicators_import(tenant=tenant, data=upload.cleaned_data["file"].read(),
                                                by=request.membership)
        if not problems:
            messages.success(request, "Figures imported.")
            return redirect("reporting:indicators")
        status = 400
    elif request.method == "POST":
        status = 400
    quarters = _recent_quarters(tenant)
    held = indicators.series(quarters)
    table = [{"label": c.label, "values": [held[c.value].get(str(q), "–") for q in quarters]} for c in Indicator]
    return render(request, "reporting/indicators.html", {
        "form": form, "upload": upload, "problems": problems, "quarters": quarters, "table": table,
    }, status=status)


@require_capability(RUN_REPORTS)
def unit_cost_list(request):
    return render(request, "reporting/unit_costs.html", {"unit_costs": UnitCost.objects.all()})


@require_capability(RUN_REPORTS)
def unit_cost_edit(request, public_id=None):
    unit_cost = get_object_or_404(UnitCost.objects, public_id=public_id) if public_id else None
    form = UnitCostForm(request.POST or None, instance=unit_cost)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        indicators.unit_cost_save(tenant=request.tenant, by=request.membership, unit_cost=unit_cost, **data)
        messages.success(request, "Unit cost saved.")
        return redirect("reporting:unit-costs")
    return render(request, "reporting/unit_cost_form.html", {"form": form, "unit_cost": unit_cost},
                  status=400 if request.method == "POST" else 200)
