"""Template hooks the catalogue and workflow pages load (no Python import goes down-up):
`{% sharing_summary instrument=… %}` / `{% sharing_summary institution=… %}` and
`{% rating_link booking %}`."""

from __future__ import annotations

from django import template

from marketplace.sharing import indicators, services
from marketplace.sharing.models import Rating, Scope, Tally

register = template.Library()

PUBLIC_COMMENTS = 5


@register.inclusion_tag("sharing/_summary.html")
def sharing_summary(instrument=None, institution=None):
    """This year's hours and sharing rate, the all-time average rating and the latest public
    comments of an instrument or an institution (two queries)."""
    if instrument is not None:
        scope, key, lookup = (
            Scope.INSTRUMENT,
            str(instrument.pk),
            {"record__instrument": instrument},
        )
    else:
        scope, key, lookup = (
            Scope.INSTITUTION,
            str(institution.pk),
            {"record__institution": institution},
        )
    year = indicators.current_year()
    # Every year's row in one query: this year's figures and the all-time rating average.
    years = list(Tally.objects.filter(scope=scope, key=key, month=0))
    tally = next((t for t in years if t.year == year), None) or Tally(year=year)
    all_time = Tally(
        ratings=sum(t.ratings for t in years), rating_points=sum(t.rating_points for t in years)
    )
    comments = Rating.objects.filter(**lookup).public_comments().order_by("-created_at")
    if instrument is None:
        # An institution's comments name their instrument; an instrument's page needs neither
        # the usage record nor the instrument (every column of both) beside each comment.
        comments = comments.select_related("record__instrument")
    comments = comments[:PUBLIC_COMMENTS]
    return {
        "year": year,
        "tally": tally,
        "average": all_time.average_rating,
        "ratings": all_time.ratings,
        "comments": comments,
        "show_instrument": instrument is None,
    }


@register.inclusion_tag("sharing/_rating_link.html", takes_context=True)
def rating_link(context, item, kind="booking"):
    if item.status != "completed":  # only a completed service is rated
        return {"item": item, "kind": kind, "rating": None, "can_rate": False}
    user = context["request"].user
    rating = Rating.objects.filter(
        **({"record__booking": item} if kind == "booking" else {"record__sample_order": item})
    ).first()
    return {
        "item": item,
        "kind": kind,
        "rating": rating,
        "can_rate": rating is None and services.can_rate(user, item),
    }
