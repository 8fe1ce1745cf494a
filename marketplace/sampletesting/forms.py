"""Forms of the sample-testing pages: they shape input; the services decide."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from .services import MAX_SAMPLES, MAX_TURNAROUND_DAYS


class SampleOrderForm(forms.Form):
    sample_count = forms.IntegerField(label=_("样品数量"), min_value=1, max_value=MAX_SAMPLES)
    sample_description = forms.CharField(
        label=_("样品描述"),
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("样品名称、形态、数量、规格，以及保存与运输要求。"),
    )
    test_items = forms.CharField(
        label=_("检测项目"),
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("需要测试的项目、条件和依据的标准。"),
    )
    notes = forms.CharField(
        label=_("备注"), max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class QuoteForm(forms.Form):
    price = forms.DecimalField(label=_("报价（元）"), min_value=0, max_digits=12, decimal_places=2)
    turnaround_days = forms.IntegerField(
        label=_("检测周期（工作日）"), min_value=1, max_value=MAX_TURNAROUND_DAYS
    )
    note = forms.CharField(label=_("报价说明"), max_length=500, required=False)
