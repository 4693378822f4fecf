"""The REST API, version 1, described by OpenAPI 3 at /api/v1/openapi.json."""

from ninja import NinjaAPI

api = NinjaAPI(
    title="microcert API",
    version="1",
    urls_namespace="api-v1",
    docs_url=None,
)
