"""import_catalogue FILE.json [--dry-run]: the catalogue import of API.md, all or nothing."""

from django.core.management.base import CommandError
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _
from tqdm import tqdm

from marketplace.catalogue.importer import (
    CatalogueFileError,
    count_records,
    import_catalogue,
    read_catalogue_file,
)
from marketplace.commands import Command as BaseCommand

PROGRESS_FROM = 1000  # records; smaller files finish before a bar would be useful


class Command(BaseCommand):
    help = _("导入资源目录（机构、仪器、孵化载体、科技成果），全部有效才写入")
    # A data command: Django's system checks (URL configuration, admin, templates …) took
    # seconds of every run, a large share of an unchanged re-import, and check nothing the
    # import relies on; `manage.py check` and the servers still run them.
    requires_system_checks = []

    def add_arguments(self, parser):
        parser.add_argument(
            "file", help=gettext("资源目录 JSON 文件（格式见 data/catalogue.schema.json）")
        )
        parser.add_argument("--dry-run", action="store_true", help=gettext("只校验和计数，不写入"))
        parser.add_argument("--no-progress", action="store_true", help=gettext("不显示进度条"))

    def handle(self, *args, file, dry_run, no_progress, **options):
        try:
            data = read_catalogue_file(file)
        except CatalogueFileError as exc:
            raise CommandError(str(exc)) from None
        total = count_records(data)
        bar = None
        if total >= PROGRESS_FROM and not no_progress:
            bar = tqdm(total=total, unit=gettext("条"), desc=gettext("导入"), file=self.stderr._out)
        bars = [bar] if bar else []

        def index_bar(count):
            # the rows are committed; a second bar (records/s too) for making them searchable
            bar.close()
            bars.append(
                tqdm(total=count, unit=gettext("条"), desc=gettext("建索引"), file=self.stderr._out)
            )
            return bars[-1].update

        try:
            report = import_catalogue(
                data,
                dry_run=dry_run,
                progress=bar.update if bar else None,
                index_progress=index_bar if bar else None,
            )
        finally:
            for each in bars:
                each.close()
        if not report.ok:
            for error in report.errors:
                self.stderr.write(str(error))
            raise CommandError(
                ngettext(
                    "%(count)s 个错误，未写入任何数据",
                    "%(count)s 个错误，未写入任何数据",
                    len(report.errors),
                )
                % {"count": len(report.errors)}
            )
        for line in report.summary_lines():
            self.stdout.write(line)
        if dry_run:
            self.stdout.write(self.style.WARNING(gettext("试运行（--dry-run）：未写入任何数据")))
        else:
            self.stdout.write(self.style.SUCCESS(gettext("导入完成")))
