"""Forms of the open-sharing pages: the same rules as the API (the services decide)."""

from __future__ import annotations

from django import forms
from django.forms.utils import flatatt
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from .ledger import SHANGHAI
from .models import UsageKind

SCORES = [(str(value), str(value)) for value in range(5, 0, -1)]


class RatingForm(forms.Form):
    timeliness = forms.TypedChoiceField(label=_("及时性"), choices=SCORES, coerce=int)
    quality = forms.TypedChoiceField(label=_("服务质量"), choices=SCORES, coerce=int)
    attitude = forms.TypedChoiceField(label=_("服务态度"), choices=SCORES, coerce=int)
    comment = forms.CharField(
        label=_("评价内容（可选）"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("文字评价经平台审核后公开显示。"),
    )


class ReplyForm(forms.Form):
    reply = forms.CharField(
        label=_("机构回复"), max_length=1000, widget=forms.Textarea(attrs={"rows": 3})
    )


class LocalDateTimeField(forms.DateTimeField):
    """A datetime-local input read as Beijing time (the page's wall clock)."""

    widget = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")

    def to_python(self, value):
        moment = super().to_python(value)
        if moment is None:
            return None
        return moment.replace(tzinfo=None).replace(tzinfo=SHANGHAI)


class ManyOptionsSelect(forms.Select):
    """A plain <select> (no option groups) built in Python. Django renders every option
    through a template, about half a millisecond each: the usage form lists all of an
    institution's instruments, hundreds at scale (docs/performance.md, issue 19)."""

    def render(self, name, value, attrs=None, renderer=None):
        chosen = set(self.format_value(value))
        options = format_html_join(
            "",
            '<option value="{}"{}>{}</option>',
            (
                (option, mark_safe(" selected") if str(option) in chosen else "", label)  # noqa: S308
                for option, label in self.choices
            ),
        )
        final = flatatt(self.build_attrs(self.attrs, {**(attrs or {}), "name": name}))
        return format_html("<select{}>{}</select>", final, options)


class UsageForm(forms.Form):
    instrument = forms.ChoiceField(label=_("仪器"), widget=ManyOptionsSelect)
    kind = forms.ChoiceField(
        label=_("类型"),
        choices=[(k.value, k.label) for k in UsageKind if k != UsageKind.SERVICE],
    )
    start = LocalDateTimeField(label=_("开始时间（北京时间）"))
    end = LocalDateTimeField(label=_("结束时间（北京时间）"))
    note = forms.CharField(label=_("说明"), required=False, max_length=500)

    def __init__(self, *args, instruments=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["instrument"].choices = [
            (i.code, gettext("%(name)s（%(code)s）") % {"name": i.name, "code": i.code})
            for i in instruments
        ]
