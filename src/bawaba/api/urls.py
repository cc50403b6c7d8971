"""The public REST API, version 1, with its OpenAPI schema at /api/v1/openapi.json."""

from ninja import NinjaAPI

from .notifications_router import router as notifications_router
from .payments_router import router as payments_router
from .services_router import router as services_router

api = NinjaAPI(
    title="Bawaba API",
    version="1",
    description="The public API of the Bawaba national e-government platform.",
    urls_namespace="api-v1",
    docs_url="/docs",
)
api.add_router("/services", services_router)
api.add_router("/notifications", notifications_router)
api.add_router("/payments", payments_router)
