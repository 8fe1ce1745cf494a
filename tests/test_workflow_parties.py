"""Each workflow model says once who made an item and which institution provides it
(`owner_path`, `institution_path`); the permission policy, the notices, the row lock and the
payables registry all follow those two paths, so a wrong one would show the item to the wrong
people. Here every declared path must lead to a person and to an institution."""

from __future__ import annotations

import pytest
from django.apps import apps
from django.contrib.auth import get_user_model

from marketplace.accounts.models import Institution
from marketplace.payments.payables import registered
from marketplace.workflow import WorkflowItem

WORKFLOW_MODELS = sorted(
    (model for model in apps.get_models() if issubclass(model, WorkflowItem)),
    key=lambda model: model._meta.label,
)


def _target(model, path: str):
    """The model at the end of a lookup path of foreign keys."""
    for name in path.split("__"):
        model = model._meta.get_field(name).related_model
    return model


def test_the_four_workflows_are_workflow_items():
    assert [model._meta.label for model in WORKFLOW_MODELS] == [
        "bookings.Booking",
        "inquiries.Inquiry",
        "residency.Application",
        "sampletesting.SampleOrder",
    ]


@pytest.mark.parametrize("model", WORKFLOW_MODELS, ids=lambda model: model._meta.label)
def test_an_item_names_the_person_who_made_it_and_the_institution_providing_it(model):
    assert _target(model, model.owner_path) is get_user_model()
    assert _target(model, model.institution_path) is Institution


def test_a_payable_is_paid_by_its_owner_to_its_institution():
    specs = {spec.field: spec for spec in registered()}
    assert {field: (spec.payer, spec.institution_path) for field, spec in specs.items()} == {
        "booking": ("user", "instrument__institution"),
        "sample_order": ("user", "instrument__institution"),
    }
