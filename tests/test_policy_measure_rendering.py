"""A policy page's measures, written by `policy_measure` instead of an include per measure,
read exactly as the include wrote them (issue 17), and Wagtail's copies of a department are
independent instances."""

from __future__ import annotations

import copy

import pytest
from django.template import Context, Template
from django.utils import translation

from cms.models import Department, PolicyPage

# templates/cms/includes/measure.html as it was before `policy_measure` replaced it.
OLD_INCLUDE = """{% load i18n cms_tags %}<div class="measure" id="{{ child.id|anchor }}">
  {% if measure.title %}<h4 class="measure-title">{{ measure.title }}</h4>{% endif %}
  {% if measure.text %}<p>{{ measure.text }}</p>{% endif %}
  {% if measure.lead_departments or measure.co_departments %}
<p class="departments">
  {% if measure.lead_departments %}<span class="role">{% translate "牵头" %}</span>
  {% for d in measure.lead_departments %}{% if d %}<a class="dept-badge dept-badge-lead" href="{{ d.get_absolute_url }}">{{ d.name }}</a>{% endif %}{% endfor %}{% endif %}
  {% if measure.co_departments %}<span class="role">{% translate "配合" %}</span>
  {% for d in measure.co_departments %}{% if d %}<a class="dept-badge" href="{{ d.get_absolute_url }}">{{ d.name }}</a>{% endif %}{% endfor %}{% endif %}
</p>
{% endif %}
</div>
"""


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_every_measure_reads_as_the_include_wrote_it(site_pages, language):
    policy = PolicyPage.objects.live().get()
    old = Template(OLD_INCLUDE)
    new = Template("{% load cms_tags %}{% policy_measure child %}")
    children = [child for _section, _sub, child in policy.iter_measures()]
    assert len(children) == 32
    # A measure with nothing in it, and one with an odd title, render the same too.
    children[0].value["title"] = '<b>"&'
    children[1].value["title"] = children[1].value["text"] = ""
    children[1].value["lead_departments"] = []
    with translation.override(language):
        for child in children:
            context = {"child": child, "measure": child.value}
            assert new.render(Context(context)) == old.render(Context(context))


def test_a_copied_department_is_a_separate_instance_with_the_same_fields(site_pages):
    department = Department.objects.first()
    department._state.fields_cache["marker"] = object()
    clone = copy.copy(department)
    assert clone is not department and clone.pk == department.pk
    assert clone.name == department.name and clone._state.db == department._state.db
    assert not clone._state.adding
    clone.name = "另一个名称"
    clone._state.fields_cache.pop("marker")
    assert department.name != "另一个名称"
    assert "marker" in department._state.fields_cache
