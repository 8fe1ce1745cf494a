"""import_catalogue FILE.json [--dry-run]: the catalogue import of API.md, all or nothing."""

from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from marketplace.catalogue.importer import (
    CatalogueFileError,
    count_records,
    import_catalogue,
    read_catalogue_file,
)

PROGRESS_FROM = 1000  # records; smaller files finish before a bar would be useful


class Command(BaseCommand):
    help = "导入资源目录 / Import a catalogue file (institutions, instruments, incubators, technologies)."
    # A data command: Django's system checks (URL configuration, admin, templates …) took
    # seconds of every run, a large share of an unchanged re-import, and check nothing the
    # import relies on; `manage.py check` and the servers still run them.
    requires_system_checks = []

    def add_arguments(self, parser):
        parser.add_argument("file", help="catalogue JSON file (see data/catalogue.schema.json)")
        parser.add_argument(
            "--dry-run", action="store_true", help="validate and count, write nothing"
        )
        parser.add_argument("--no-progress", action="store_true", help="no progress bar")

    def handle(self, *args, file, dry_run, no_progress, **options):
        try:
            data = read_catalogue_file(file)
        except CatalogueFileError as exc:
            raise CommandError(str(exc)) from None
        total = count_records(data)
        bar = None
        if total >= PROGRESS_FROM and not no_progress:
            bar = tqdm(total=total, unit="rec", desc="import", file=self.stderr._out)
        bars = [bar] if bar else []

        def index_bar(count):
            # the rows are committed; a second bar (records/s too) for making them searchable
            bar.close()
            bars.append(tqdm(total=count, unit="rec", desc="index", file=self.stderr._out))
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
                f"{len(report.errors)} 个错误，未写入任何数据 / {len(report.errors)} errors, nothing was written"
            )
        for line in report.summary_lines():
            self.stdout.write(line)
        if dry_run:
            self.stdout.write(self.style.WARNING("dry run: 未写入任何数据 / nothing was written"))
        else:
            self.stdout.write(self.style.SUCCESS("导入完成 / import complete"))
