"""What each side of an inquiry hears, through the platform's one notice-and-email outbox.

One notice per recipient per action: a transition, a message, or access to the details.
"""

from __future__ import annotations

from marketplace.notifications.services import institution_members, notify, transition_notices
from marketplace.workflow import other_side

MESSAGES = {
    "open": ("收到新的意向洽谈", "New technology inquiry"),
    "negotiating": ("成果单位已回复您的意向洽谈", "The institution replied to your inquiry"),
    "agreed": ("意向洽谈已成交", "Inquiry agreed, deal recorded"),
    "closed": ("意向洽谈已关闭", "Inquiry closed"),
}


def _recipients(inquiry, by) -> list:
    return other_side(inquiry.inquirer, institution_members(inquiry.technology.institution), by)


def _url(inquiry) -> str:
    return f"/inquiries/{inquiry.pk}/"


notify_transition = transition_notices(
    MESSAGES,
    fallback=("意向洽谈状态已更新", "Inquiry updated"),
    owner="inquirer",
    institution="technology__institution",
    subject=lambda inquiry: inquiry.technology.title,
)


def notify_message(inquiry, by) -> None:
    notify(
        _recipients(inquiry, by),
        ("意向洽谈有新留言", "New message in your inquiry"),
        inquiry.technology.title,
        _url(inquiry),
    )


def notify_details_granted(inquiry, by) -> None:
    notify(
        [inquiry.inquirer],
        ("成果单位已向您开放技术详细资料", "The institution opened the full details to you"),
        inquiry.technology.title,
        _url(inquiry),
    )
