from django.urls import path

from referrals import audit_views, list_views, views

app_name = "referrals"

urlpatterns = [
    path("referrals/", list_views.referral_list, name="list"),
    # A new referral, one question page at a time; every step saves the draft.
    path("referrals/new/", views.draft_new, name="new"),
    path("referrals/drafts/", views.draft_list, name="drafts"),
    path("referrals/<int:pk>/draft/child/", views.draft_child, name="draft-child"),
    path("referrals/<int:pk>/draft/household/", views.draft_household, name="draft-household"),
    path("referrals/<int:pk>/draft/concern/", views.draft_concern, name="draft-concern"),
    path("referrals/<int:pk>/draft/consent/", views.draft_consent, name="draft-consent"),
    path(
        "referrals/<int:pk>/draft/attachments/",
        views.draft_attachments,
        name="draft-attachments",
    ),
    path("referrals/<int:pk>/draft/check/", views.draft_check, name="draft-check"),
    path("referrals/<int:pk>/submitted/", views.referral_submitted, name="submitted"),
    # The referral and what happens to it: one view per operation.
    path("referrals/<int:pk>/", views.referral_detail, name="detail"),
    path("referrals/<int:pk>/screen/", views.referral_screen, name="screen"),
    path("referrals/<int:pk>/decide/", views.referral_decide, name="decide"),
    path("referrals/<int:pk>/close/", views.referral_close, name="close"),
    path("referrals/<int:pk>/withdraw/", views.referral_withdraw, name="withdraw"),
    path("referrals/<int:pk>/matches/<int:match_pk>/", views.referral_match, name="match"),
    path(
        "referrals/<int:pk>/contributions/request/",
        views.contributions_request,
        name="contributions-request",
    ),
    path("referrals/<int:pk>/contributions/add/", views.contribution_add, name="contribution-add"),
    path(
        "referrals/<int:pk>/requests/<int:request_pk>/decline/",
        views.contribution_decline,
        name="contribution-decline",
    ),
    path("referrals/<int:pk>/attachments/add/", views.attachment_add, name="attachment-add"),
    path(
        "referrals/<int:pk>/attachments/<int:attachment_pk>/",
        views.attachment_download,
        name="attachment-download",
    ),
    path("referrals/<int:pk>/share/", views.referral_share, name="share"),
    path(
        "referrals/<int:pk>/shares/<int:share_pk>/withdraw/",
        views.referral_share_withdraw,
        name="share-withdraw",
    ),
    path("referrals/<int:pk>/audit/", views.referral_audit, name="audit"),
    path("screening/", views.screening_queue, name="screening-queue"),
    path("search/", views.referral_search, name="search"),
    path("children/<int:pk>/", views.child_detail, name="child"),
    path("children/<int:pk>/audit/", views.child_audit, name="child-audit"),
    path("break-glass/", views.break_glass, name="break-glass"),
    path("audit/", audit_views.audit_lookup, name="audit-lookup"),
]
