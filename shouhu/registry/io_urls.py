"""URLs of the registry imports and exports (same namespace as the registry)."""

urlpatterns: list = []  # type: ignore[type-arg]
