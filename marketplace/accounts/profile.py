"""The profile a person completes once before their first request (booking, residency
application, sample-testing order, inquiry): institutions need who is asking.

Services call `require_profile` (the API answers 400 with code `profile_incomplete`); pages wear
`@profile_required`, which sends the person to /accounts/profile/ and back with `next`."""

from __future__ import annotations

import functools
from urllib.parse import urlencode

from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext

from marketplace.workflow import RuleError


def require_profile(user) -> None:
    if not getattr(user, "profile_complete", False):
        raise RuleError(
            gettext("请先完善个人资料（真实姓名、所在单位、手机号码），资料只需填写一次。"),
            "profile_incomplete",
        )


def profile_required(view):
    """For a page that makes a request: an incomplete profile is asked for first, once."""

    @functools.wraps(view)
    def wrapper(request, *args, **kwargs):
        user = request.user
        if user.is_authenticated and not user.profile_complete:
            query = urlencode({"next": request.get_full_path()})
            return redirect(f"{reverse('accounts:profile')}?{query}")
        return view(request, *args, **kwargs)

    return wrapper
