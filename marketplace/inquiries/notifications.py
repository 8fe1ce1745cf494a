"""What each side of an inquiry hears, through the platform's one notice-and-email outbox.

One notice per recipient per action: a transition, a message, or access to the details.
"""

from __future__ import annotations

from marketplace.notifications.services import notify, other_side_of, transition_notices

MESSAGES = {
    "open": ("收到新的意向洽谈", "New technology inquiry"),
    "negotiating": ("成果单位已回复您的意向洽谈", "The institution replied to your inquiry"),
    "agreed": ("意向洽谈已成交", "Inquiry agreed, deal recorded"),
    "closed": ("意向洽谈已关闭", "Inquiry closed"),
}


notify_transition = transition_notices(
    MESSAGES,
    fallback=("意向洽谈状态已更新", "Inquiry updated"),
    subject=lambda inquiry: inquiry.technology.title,
)


def notify_message(inquiry, by) -> None:
    notify(
        other_side_of(inquiry, by),
        ("意向洽谈有新留言", "New message in your inquiry"),
        inquiry.technology.title,
        inquiry.get_absolute_url(),
    )


def notify_details_granted(inquiry, by) -> None:
    notify(
        [inquiry.inquirer],
        ("成果单位已向您开放技术详细资料", "The institution opened the full details to you"),
        inquiry.technology.title,
        inquiry.get_absolute_url(),
    )
