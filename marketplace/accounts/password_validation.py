"""Password rules whose messages are translated in both of the site's languages.

Django's own MinimumLengthValidator message has no Simplified Chinese translation in the
catalogue Django ships, so a Chinese page would show it in English.
"""

from django.contrib.auth.password_validation import MinimumLengthValidator
from django.utils.translation import gettext as _


class MinimumLength(MinimumLengthValidator):
    def get_error_message(self) -> str:
        return _("密码太短，至少需要 %(min_length)d 个字符。") % {"min_length": self.min_length}

    def get_help_text(self) -> str:
        return _("密码至少需要 %(min_length)d 个字符。") % {"min_length": self.min_length}
