"""generate_catalogue: a deterministic synthetic catalogue file for benchmarks and load tests."""

from __future__ import annotations

import argparse
import io
import os
from pathlib import Path

from django.core.management.base import CommandError
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from marketplace.catalogue.generator import dump_catalogue, generate_catalogue
from marketplace.commands import Command as BaseCommand

MAX_RECORDS = 10_000_000  # far above any benchmark; guards against a typo eating all memory


def record_count(value: str) -> int:
    try:
        number = int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(
            gettext("须为非负整数，收到 %(value)s") % {"value": repr(value)}
        ) from None
    if number < 0:
        raise argparse.ArgumentTypeError(gettext("不能为负数，收到 %(value)s") % {"value": number})
    if number > MAX_RECORDS:
        raise argparse.ArgumentTypeError(gettext("最多 %(limit)s") % {"limit": MAX_RECORDS})
    return number


def seed_value(value: str) -> int:
    try:
        return int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(
            gettext("须为整数，收到 %(value)s") % {"value": repr(value)}
        ) from None


class Command(BaseCommand):
    help = _("生成可重复的模拟资源目录（import_catalogue 的格式）：参数和种子相同，输出逐字节相同")

    def add_arguments(self, parser):
        parser.add_argument(
            "--instruments", type=record_count, default=300, help=gettext("生成的仪器数量")
        )
        parser.add_argument(
            "--incubators",
            type=record_count,
            default=100,
            help=gettext("孵化载体数量"),
        )
        parser.add_argument(
            "--technologies",
            type=record_count,
            default=200,
            help=gettext("科技成果数量"),
        )
        parser.add_argument(
            "--institutions",
            type=record_count,
            default=None,
            help=gettext("机构数量，默认约每 200 条一个，至少 16 个"),
        )
        parser.add_argument("--seed", type=seed_value, default=1, help=gettext("随机种子"))
        parser.add_argument(
            "--output",
            "-o",
            default=None,
            help=gettext("输出文件，默认标准输出"),
        )

    def handle(
        self, *args, instruments, incubators, technologies, institutions, seed, output, **options
    ):
        # call_command(..., instruments=-1) skips argparse, so check the values here too.
        sizes = {
            "instruments": instruments,
            "incubators": incubators,
            "technologies": technologies,
            "institutions": institutions,
        }
        try:
            sizes = {
                name: value if value is None else record_count(str(value))
                for name, value in sizes.items()
            }
            seed = seed_value(str(seed))
        except argparse.ArgumentTypeError as exc:
            raise CommandError(str(exc)) from None
        if sizes["institutions"] == 0 and any(sizes.values()):
            raise CommandError(gettext("有资源条目时 --institutions 至少为 1"))
        data = generate_catalogue(seed=seed, **sizes)
        if output is None:
            self._write_stdout(data)
            return
        path = Path(output)
        if path.is_dir():
            raise CommandError(gettext("这是一个目录：%(path)s") % {"path": output})
        try:
            with path.open("w", encoding="utf-8", newline="\n") as out:
                dump_catalogue(data, out)
        except OSError as exc:
            raise CommandError(
                gettext("无法写入 %(path)s：%(reason)s")
                % {"path": output, "reason": exc.strerror or exc}
            ) from None
        total = sum(len(records) for records in data.values())
        self.stderr.write(
            gettext("已写入 %(count)s 条到 %(path)s") % {"count": total, "path": output}
        )

    def _write_stdout(self, data: dict) -> None:
        # Piped output must be UTF-8 whatever the locale; a text stream without a byte buffer
        # (call_command(stdout=StringIO())) takes the text as it is.
        target = self.stdout._out
        buffer = getattr(target, "buffer", None)
        if buffer is None:
            dump_catalogue(data, target)
            return
        target.flush()
        text = io.TextIOWrapper(buffer, encoding="utf-8", newline="\n", write_through=False)
        try:
            dump_catalogue(data, text)
            text.flush()
        except BrokenPipeError:
            # The reader left early (`| head`): send what is still buffered to /dev/null
            # instead of failing again at exit.
            os.dup2(os.open(os.devnull, os.O_WRONLY), buffer.fileno())
        finally:
            text.detach()
