"""People who sign in: citizens and staff share one account model."""

import uuid

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _


class User(AbstractUser):
    uuid = models.UUIDField(_("public id"), default=uuid.uuid4, unique=True, editable=False)
    preferred_language = models.CharField(
        _("preferred language"), max_length=2, choices=[("ar", "العربية"), ("en", "English")], default="ar"
    )

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
