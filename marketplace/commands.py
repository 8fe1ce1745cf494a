"""The base of the project's management commands: one language at a time.

A command writes its help, its output and its errors in one language: settings.COMMAND_LANGUAGE
(the site's LANGUAGE_CODE unless the environment sets COMMAND_LANGUAGE), or the one `--language`
names for a single run. Messages are gettext strings with the Chinese source, as everywhere
else; the language is switched on around the whole run, so a service's refusal raised inside
it reads in the same language as the command's own lines. The help is written in
COMMAND_LANGUAGE, and so is a refusal of the arguments themselves: argparse answers both before
`--language` is read. argparse's and Django's own words ("usage:", "--verbosity") stay theirs.
"""

from __future__ import annotations

from django.conf import settings
from django.core.management.base import BaseCommand
from django.utils import translation
from django.utils.translation import gettext


class Command(BaseCommand):
    def create_parser(self, prog_name, subcommand, **kwargs):
        with translation.override(settings.COMMAND_LANGUAGE):
            if self.help:
                self.help = str(self.help)  # a lazy string, read in the command language
            parser = super().create_parser(prog_name, subcommand, **kwargs)
            parser.add_argument(
                "--language",
                choices=[code for code, _name in settings.LANGUAGES],
                default=settings.COMMAND_LANGUAGE,
                help=gettext("输出与错误信息所用的语言（默认 %(default)s）"),
            )
        return parser

    def run_from_argv(self, argv):
        # From the command line, arguments are parsed (and refused) before `execute`.
        with translation.override(settings.COMMAND_LANGUAGE):
            super().run_from_argv(argv)

    def execute(self, *args, **options):
        with translation.override(options.get("language") or settings.COMMAND_LANGUAGE):
            return super().execute(*args, **options)
