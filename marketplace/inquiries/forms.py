"""Forms of the inquiry pages: they shape what people type; the services decide."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from marketplace.catalogue.models import Technology
from marketplace.catalogue.vocabularies import TransferMode

from .services import MAX_MESSAGE, MAX_REASON


class InquiryForm(forms.Form):
    intended_mode = forms.ChoiceField(label=_("意向转化方式"))
    message = forms.CharField(
        label=_("洽谈意向"),
        max_length=MAX_MESSAGE,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("请说明贵单位情况、拟应用场景和合作设想。"),
    )

    def __init__(self, *args, technology: Technology, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["intended_mode"].choices = [
            (mode, TransferMode(mode).label) for mode in technology.transfer_modes
        ]


class ReplyForm(forms.Form):
    message = forms.CharField(
        label=_("留言"), max_length=MAX_MESSAGE, widget=forms.Textarea(attrs={"rows": 4})
    )


class DealForm(forms.Form):
    mode = forms.ChoiceField(label=_("成交方式"), choices=TransferMode.choices)
    amount = forms.DecimalField(
        label=_("成交金额（元）"), min_value=0, max_digits=14, decimal_places=2
    )
    contract_date = forms.DateField(
        label=_("合同签订日期"), widget=forms.DateInput(attrs={"type": "date"})
    )
    registration_no = forms.CharField(
        label=_("技术合同登记号"),
        max_length=64,
        required=False,
        help_text=_("选填；在技术合同登记机构登记后取得。"),
    )


class CloseForm(forms.Form):
    reason = forms.CharField(label=_("关闭原因"), max_length=MAX_REASON, required=False)
