"""The 入孵申请 form: what a company fills in, with the business plan as an optional PDF."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from marketplace.uploads import validate_pdf
from marketplace.workflow import RuleError

from .models import APPLICANT_FIELDS, Application


class ApplicationForm(forms.ModelForm):
    business_plan = forms.FileField(
        label=_("商业计划书（PDF，可选）"),
        required=False,
        help_text=_("仅限 PDF 文件，不超过 10 MB。如表单有误，请重新选择文件。"),
        widget=forms.ClearableFileInput(attrs={"accept": "application/pdf,.pdf"}),
    )

    class Meta:
        model = Application
        fields = list(APPLICANT_FIELDS)
        widgets = {"business_summary": forms.Textarea(attrs={"rows": 8})}

    def clean_business_plan(self):
        uploaded = self.cleaned_data.get("business_plan")
        if uploaded:
            try:
                validate_pdf(uploaded)
            except RuleError as exc:
                raise ValidationError(exc.message, code=exc.code) from None
        return uploaded or None

    def service_data(self) -> dict:
        return {field: self.cleaned_data.get(field) for field in self.Meta.fields}


class AcceptForm(forms.Form):
    workstations = forms.IntegerField(label=_("分配工位数"), min_value=1)
    reason = forms.CharField(label=_("说明（可选）"), max_length=500, required=False)
