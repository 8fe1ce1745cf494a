"""Wagtail admin: the read-only 业务监管 menu over every workflow (marketplace/oversight/)."""

from wagtail import hooks

from .admin_views import WorkflowOversight, register_policies

register_policies()


@hooks.register("register_admin_viewset")
def register_workflow_oversight():
    return WorkflowOversight()
