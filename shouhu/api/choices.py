from django.db import models
from django.utils.translation import pgettext_lazy


class TokenStatus(models.TextChoices):
    """Where an API token stands; revocation wins over expiry."""

    ACTIVE = "active", pgettext_lazy("API token", "Active")
    EXPIRED = "expired", pgettext_lazy("API token", "Expired")
    REVOKED = "revoked", pgettext_lazy("API token", "Revoked")
