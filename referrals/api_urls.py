"""API routes under /api/. Every route needs its row in tests/agencies/doors_api.py."""

from django.urls import path

from missing.api import MissingEpisodeCollectionApi, MissingEpisodeDetailApi
from referrals.api.contributions import ContributionCreateApi
from referrals.api.docs import DocsView, SchemaView
from referrals.api.referrals import ReferralCollectionApi, ReferralDetailApi, ReferralHistoryApi

app_name = "api"

urlpatterns = [
    path("schema/", SchemaView.as_view(), name="schema"),
    path("docs/", DocsView.as_view(url_name="api:schema"), name="docs"),
    path("v1/referrals/", ReferralCollectionApi.as_view(), name="referral-list"),
    path("v1/referrals/<int:pk>/", ReferralDetailApi.as_view(), name="referral-detail"),
    path("v1/referrals/<int:pk>/history/", ReferralHistoryApi.as_view(), name="referral-history"),
    path(
        "v1/referrals/<int:pk>/contributions/",
        ContributionCreateApi.as_view(),
        name="referral-contributions",
    ),
    path(
        "v1/missing-episodes/", MissingEpisodeCollectionApi.as_view(), name="missing-episode-list"
    ),
    path(
        "v1/missing-episodes/<int:pk>/",
        MissingEpisodeDetailApi.as_view(),
        name="missing-episode-detail",
    ),
]
