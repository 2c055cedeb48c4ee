from django.db import models
from django.utils.translation import gettext_lazy as _


class TokenStatus(models.TextChoices):
    """Where an API token stands; revocation wins over expiry."""

    ACTIVE = "active", _("Active")
    EXPIRED = "expired", _("Expired")
    REVOKED = "revoked", _("Revoked")
