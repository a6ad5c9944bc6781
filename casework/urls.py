from django.urls import path

from casework import views

app_name = "casework"

urlpatterns = [
    path("casework/caseloads/", views.caseloads, name="caseloads"),
    path("casework/caseloads.csv", views.caseloads_csv, name="caseloads-csv"),
    path("casework/teams/<int:pk>/target/", views.team_target, name="team-target"),
    path("casework/cases/<int:pk>/allocate/", views.allocate, name="allocate"),
    path("casework/cases/<int:pk>/review/", views.review_start, name="review-start"),
    path("casework/reviews/", views.reviews, name="reviews"),
    path("casework/reviews/sample/", views.review_sample, name="review-sample"),
    path("casework/reviews/<int:pk>/", views.review, name="review"),
    path("casework/quality/", views.quality, name="quality"),
    path("casework/quality/<slug:key>.csv", views.quality_csv, name="quality-csv"),
    path("casework/learning/", views.learning, name="learning"),
    path("casework/learning/new/", views.learning_new, name="learning-new"),
    path("casework/learning/<int:pk>/done/", views.learning_done, name="learning-done"),
]
