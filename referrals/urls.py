from django.urls import path

from referrals import views

app_name = "referrals"

urlpatterns = [
    path("referrals/", views.referral_list, name="list"),
    path("referrals/<int:pk>/", views.referral_detail, name="detail"),
    path("referrals/<int:pk>/share/", views.referral_share, name="share"),
    path(
        "referrals/<int:pk>/shares/<int:share_pk>/withdraw/",
        views.referral_share_withdraw,
        name="share-withdraw",
    ),
    path("referrals/<int:pk>/audit/", views.referral_audit, name="audit"),
    path("children/<int:pk>/audit/", views.child_audit, name="child-audit"),
    path("break-glass/", views.break_glass, name="break-glass"),
    path("audit/", views.audit_lookup, name="audit-lookup"),
]
