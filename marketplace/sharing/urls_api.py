"""开放共享评价 API routes, included under /api/v1/."""

from django.urls import path

from . import api

urlpatterns = [
    path("statistics/", api.ProvinceStatisticsView.as_view(), name="statistics"),
    path(
        "statistics/institutions/<str:code>/",
        api.InstitutionStatisticsView.as_view(),
        name="statistics-institution",
    ),
    path(
        "statistics/instruments/<str:code>/",
        api.InstrumentStatisticsView.as_view(),
        name="statistics-instrument",
    ),
    path(
        "instruments/<str:code>/ratings/",
        api.InstrumentRatingsView.as_view(),
        name="instrument-ratings",
    ),
    path(
        "instruments/<str:code>/usage/", api.InstrumentUsageView.as_view(), name="instrument-usage"
    ),
    path("bookings/<int:pk>/rating/", api.BookingRatingView.as_view(), name="booking-rating"),
    path(
        "sample-orders/<int:pk>/rating/",
        api.SampleOrderRatingView.as_view(),
        name="sample-order-rating",
    ),
    path("ratings/<int:pk>/reply/", api.RatingReplyView.as_view(), name="rating-reply"),
    path("ratings/<int:pk>/review/", api.RatingReviewView.as_view(), name="rating-review"),
    path(
        "downtime/<int:pk>/cancel-booking/",
        api.DowntimeCancelView.as_view(),
        name="downtime-cancel-booking",
    ),
]
