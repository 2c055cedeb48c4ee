"""Settings of the test suite: the base settings with test-only speed-ups."""

import os

os.environ["SHOUHU_ENV"] = "test"

from config.settings import *  # noqa: F403  (the test settings extend the base ones)

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # speed only; never in production
HUEY = {**HUEY, "immediate": True}  # noqa: F405
STORAGES = {**STORAGES, "default": {**STORAGES["default"], "OPTIONS": {"location": VAR_DIR / "test-files"}}}  # noqa: F405
