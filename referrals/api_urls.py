"""API routes under /api/. Every route needs its row in tests/agencies/doors_api.py."""

app_name = "api"

urlpatterns: list = []
