"""收款信息 in the Wagtail admin: an institution's managers set where bank transfers go.

The same service as `PUT /api/v1/institutions/{code}/payee/` and the ledger page's form
(`services.set_payee`, managers only), with the same validation (`PayeeUpdateSerializer`).
A member sees only their own institutions here: another institution's code is a 404, and
staff (not managers) are refused by the service with its reason.
"""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _

from marketplace.accounts.models import Institution
from marketplace.accounts.permissions import is_manager_of
from marketplace.workflow import WorkflowError

from . import services
from .serializers import PayeeUpdateSerializer


class PayeeForm(forms.Form):
    """Renders the serializer's fields; the serializer validates (one set of rules)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name, field in PayeeUpdateSerializer().fields.items():
            self.fields[name] = forms.CharField(
                label=field.label, max_length=field.max_length, required=True
            )

    def clean(self):
        body = PayeeUpdateSerializer(data=self.data)
        if not body.is_valid():
            for field, errors in body.errors.items():
                for error in errors:
                    self.add_error(field if field in self.fields else None, str(error))
            return self.cleaned_data
        return dict(body.validated_data)


def _payee_initial(institution) -> dict:
    return {
        "account_name": institution.payee_account_name,
        "bank": institution.payee_bank,
        "account_number": institution.payee_account_number,
    }


def payee_index(request):
    """The institutions the user acts for, with their payee details and who may edit them."""
    institutions = list(Institution.objects.for_member(request.user).order_by("code"))
    rows = [{"institution": i, "can_edit": is_manager_of(request.user, i.pk)} for i in institutions]
    return TemplateResponse(request, "payments/admin/payee_index.html", {"rows": rows})


def payee_edit(request, code: str):
    institution = Institution.objects.for_member(request.user).filter(code=code).first()
    if institution is None:
        raise Http404  # another institution's details are not even shown
    form = PayeeForm(request.POST or None, initial=_payee_initial(institution))
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                services.set_payee(institution, request.user, **form.cleaned_data)
            except WorkflowError as exc:
                form.add_error(None, exc.message)
                status = exc.http_status
            else:
                messages.success(request, _("收款信息已保存。"))
                return redirect("payments_admin_payee_index")
        else:
            status = 400
    return TemplateResponse(
        request,
        "payments/admin/payee_edit.html",
        {
            "institution": institution,
            "form": form,
            "can_edit": is_manager_of(request.user, institution.pk),
        },
        status=status,
    )
