"""A technology listing with its institution's two members, two enterprise inquirers and a
stranger institution's member: the cast of the inquiry tests."""

from __future__ import annotations

from dataclasses import dataclass

from tests.factories import InstitutionFactory, MembershipFactory, TechnologyFactory, UserFactory


@dataclass
class InquiryWorld:
    technology: object
    manager: object
    colleague: object
    inquirer: object
    rival: object
    outsider: object


def build_inquiry_world() -> InquiryWorld:
    """Each test module wraps this in its own `inquiry_world` fixture."""
    institution = InstitutionFactory(code="YLU", name="云岭理工大学")
    technology = TechnologyFactory(
        code="YLU.TEC-01",
        institution=institution,
        title="高原特色植物提取工艺",
        summary="一种从高原植物中提取活性成分的绿色工艺。",
        details="工艺参数：超临界二氧化碳萃取，压力三十兆帕，夹带剂为乙醇。",
        details_under_nda=True,
        mode_license=True,
        mode_transfer=True,
    )
    manager = UserFactory(username="tto", email="tto@ylu.example")
    colleague = UserFactory(username="colleague", email="colleague@ylu.example")
    MembershipFactory(user=manager, institution=institution, role="manager")
    MembershipFactory(user=colleague, institution=institution)
    inquirer = UserFactory(username="buyer", email="buyer@pharma.example")
    rival = UserFactory(username="rival", email="rival@other.example")
    outsider = UserFactory(username="outsider", email="staff@qjlab.example")
    MembershipFactory(user=outsider, institution=InstitutionFactory(code="QJLAB"))
    return InquiryWorld(technology, manager, colleague, inquirer, rival, outsider)


def fresh(user):
    """The same user without the per-request caches of memberships and moderator status."""
    return type(user).objects.get(pk=user.pk)
