"""load_demo: the demo catalogue and 双创专区 pages, so `make run` shows a living site."""

from django.core.management.base import BaseCommand, CommandError

from cms.demo import SiteTreeMissing, load_demo_pages
from marketplace.demo import load_demo_catalogue


class Command(BaseCommand):
    help = "载入演示数据 / Load the demo catalogue and news (idempotent)."

    def handle(self, *args, **options):
        for line in load_demo_catalogue().summary_lines():
            self.stdout.write(line)
        try:
            articles = load_demo_pages()
        except SiteTreeMissing as error:
            raise CommandError(str(error)) from error
        self.stdout.write(f"双创专区 pages: {articles} created")
        self.stdout.write(self.style.SUCCESS("演示数据已就绪 / demo data ready"))
