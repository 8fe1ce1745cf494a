"""Account mail (password reset) goes through the task queue, never inside the request."""

from __future__ import annotations

from django.core.mail import EmailMultiAlternatives
from django_tasks import task


@task()
def send_account_email(subject: str, body: str, to: str, html_body: str = "") -> None:
    message = EmailMultiAlternatives(subject, body, None, [to])
    if html_body:
        message.attach_alternative(html_body, "text/html")
    message.send()
