"""load_demo: the demo catalogue and 双创专区 pages, so `make run` shows a living site."""

from django.core.management.base import CommandError
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from cms.demo import SiteTreeMissing, load_demo_pages
from marketplace.commands import Command as BaseCommand
from marketplace.demo import load_demo_catalogue


class Command(BaseCommand):
    help = _("载入演示数据：资源目录、新闻和双创专区页面（可重复运行）")

    def handle(self, *args, **options):
        for line in load_demo_catalogue().summary_lines():
            self.stdout.write(line)
        try:
            articles = load_demo_pages()
        except SiteTreeMissing as error:
            raise CommandError(str(error)) from error
        self.stdout.write(gettext("双创专区页面：新建 %(count)s") % {"count": articles})
        self.stdout.write(self.style.SUCCESS(gettext("演示数据已就绪")))
