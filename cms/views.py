"""Public views outside the page tree: departments and the measures they are responsible for."""

from __future__ import annotations

from itertools import groupby

from django.shortcuts import get_object_or_404, redirect, render
from django.templatetags.static import static
from django.views.decorators.cache import cache_control

from .models import Department, MeasureResponsibility


def department_list(request):
    departments = Department.objects.filter(responsibilities__policy__live=True).distinct()
    return render(request, "cms/department_list.html", {"departments": departments})


def department_detail(request, slug: str):
    """Every measure of every live policy this department leads or shares, grouped by policy."""
    department = get_object_or_404(Department.objects.with_aliases(), slug=slug)
    rows = (
        MeasureResponsibility.objects.filter(department=department, policy__live=True)
        .select_related("policy")
        # Each row carries its policy: not its structure, a large JSON parsed once per row.
        .defer("policy__structure")
        .order_by("-policy__date_published", "policy_id", "position")
    )
    # The policy's URL once per group, not once per measure linked to it.
    groups = [
        {"policy": policy, "url": policy.get_url(request), "measures": list(items)}
        for policy, items in groupby(rows, key=lambda row: row.policy)
    ]
    context = {
        "department": department,
        "groups": groups,
        "lead_count": sum(1 for g in groups for m in g["measures"] if m.role == "lead"),
        "measure_count": sum(len(g["measures"]) for g in groups),
    }
    return render(request, "cms/department_detail.html", context)


@cache_control(max_age=86400, public=True)
def favicon(request):
    """Browsers ask for /favicon.ico whatever the page says: send them to the static icon."""
    return redirect(static("favicon.ico"))
