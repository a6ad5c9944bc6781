"""The REST API for partner agencies' own systems, under /api/v1/ (routes in referrals/api_urls.py).

The same policy and services as the pages: a referral the caller may not see is a 404, the
same as a missing one; one they may see but may not act on is a 403; every refusal is
audited, and every read of a case is recorded as a view.

- base.py: what every view shares: JSON only, errors in one shape, refusals audited
- serializers.py: the shapes of a referral, its child and household, in and out
- submission.py: creating and submitting a referral in one call, once per Idempotency-Key
- referrals.py, contributions.py: the views, one per operation
- docs.py: the OpenAPI schema and Swagger UI under the strict CSP
- tokens.py: issuing, rotating and revoking a person's token (kept as its hash), audited
- authentication.py: a token looked up by its hash; requests a minute per token
- pagination.py: pages of at most 100, a malformed limit or offset a 400
"""
