"""The OpenAPI schema (/api/schema/) and Swagger UI (/api/docs/), under the strict CSP.

Swagger UI is drf-spectacular's split view: the page loads its start-up script as a separate
request (/api/docs/?script=), so no inline script is needed. Its page template also carries
an inline <style> block, which the CSP (style-src 'self') refuses; referrals/api_docs.html is
the same page without it, so the docs need no exception to the site's CSP. The online
validator badge is turned off: it would send the schema's address to validator.swagger.io.
"""

import json

from drf_spectacular.settings import spectacular_settings
from drf_spectacular.utils import extend_schema
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from referrals.api.base import ApiErrorsMixin


class SchemaView(ApiErrorsMixin, SpectacularAPIView):
    """The OpenAPI 3 schema: YAML, or JSON with ?format=json."""


class DocsView(ApiErrorsMixin, SpectacularSwaggerSplitView):
    template_name = "referrals/api_docs.html"

    @extend_schema(exclude=True)
    def get(self, request, *args, **kwargs):
        response = super().get(request, *args, **kwargs)
        if "settings" in response.data:  # the start-up script
            swagger_settings = {**spectacular_settings.SWAGGER_UI_SETTINGS, "validatorUrl": None}
            response.data["settings"] = json.dumps(swagger_settings)
        return response
