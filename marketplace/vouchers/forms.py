"""The enterprise's eligibility application form (the rules live in `services.apply`)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from . import services


class ApplicationForm(forms.Form):
    programme = forms.ModelChoiceField(queryset=None, label=_("创新券项目"), empty_label=None)
    name = forms.CharField(label=_("企业名称"), max_length=200)
    credit_code = forms.CharField(label=_("统一社会信用代码"), max_length=18)
    document = forms.FileField(
        label=_("申请材料（PDF）"), widget=forms.FileInput(attrs={"accept": "application/pdf"})
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["programme"].queryset = services.open_programmes()
