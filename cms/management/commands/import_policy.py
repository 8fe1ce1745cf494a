"""import_policy: a plain-text policy document in, a structured draft PolicyPage out, a report."""

from django.core.management.base import CommandError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from cms.importer.service import PolicyImportError, import_policy, read_policy_file
from marketplace.commands import Command as BaseCommand


class Command(BaseCommand):
    help = gettext_lazy("导入政策文件纯文本，生成结构化的政策文件页（默认为草稿）")

    def add_arguments(self, parser):
        parser.add_argument("file", help=_("UTF-8 或 GB18030 编码的纯文本文件"))
        parser.add_argument("--title", help=_("页面标题（默认取印发通知的标题）"))
        parser.add_argument("--publish", action="store_true", help=_("导入后直接发布"))
        parser.add_argument(
            "--allow-duplicate",
            action="store_true",
            help=_("即使同样的文本已导入过，也再建一个新页面"),
        )

    def handle(self, *args, **options):
        try:
            text = read_policy_file(options["file"])
            result = import_policy(
                text,
                title=options["title"],
                publish=options["publish"],
                allow_duplicate=options["allow_duplicate"],
            )
        except PolicyImportError as error:
            raise CommandError(str(error)) from error
        page, parsed = result.page, result.parsed
        out = self.stdout
        if not result.created:
            out.write(
                _(
                    "这份文本已导入过：%(title)s（页面 %(id)s）。未新建页面；如确需另建，请加 --allow-duplicate。"
                )
                % {"title": page.title, "id": page.pk}
            )
            return
        state = _("已发布") if page.live else _("草稿")
        out.write(
            _("已导入：%(title)s（页面 %(id)s，%(state)s）")
            % {
                "title": page.title,
                "id": page.pk,
                "state": state,
            }
        )
        out.write(
            _(
                "章节 %(sections)s，分项 %(subsections)s，措施 %(measures)s，涉及部门 %(departments)s；"
                "删除重复的通知头 %(headers)s 处、重复句段 %(duplicates)s 处。"
            )
            % {
                "sections": len(parsed.sections),
                "subsections": len(parsed.subsections),
                "measures": len(parsed.measures),
                "departments": len(parsed.departments),
                "headers": parsed.headers_removed,
                "duplicates": parsed.duplicates_removed,
            }
        )
        if parsed.report:
            out.write(_("需要人工核对的内容（%(count)s 项）：") % {"count": len(parsed.report)})
            for item in parsed.report:
                out.write(f"  - {item}")
        else:
            out.write(_("没有需要人工核对的内容。"))
