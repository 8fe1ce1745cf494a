"""Record every completed service that has no usage record yet and recompute all sums."""

from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from marketplace.commands import Command as BaseCommand
from marketplace.sharing.ledger import rebuild


class Command(BaseCommand):
    help = _("补记历史服务记录并重算开放共享统计")

    def handle(self, *args, **options):
        result = rebuild()
        self.stdout.write(
            gettext(
                "补记机时预约 %(bookings)s 条、送样检测 %(sample_orders)s 条；统计行 %(tallies)s"
            )
            % result
        )
