"""A child's photo: checked, re-encoded without its metadata, stored privately, replaced or removed.

A photo sent from a phone carries EXIF data — often the place where it was taken, i.e. where the
child lives. Personal information must be limited to what the purpose needs (PIPL arts. 6, 28:
children's data is sensitive), so every photo is decoded, turned upright, scaled down and written
again as a JPEG without any metadata. Photos live under ``MEDIA_ROOT`` (in ``var/``), which is
never served as static files: the file's page fetches a photo through a view that checks access.
"""

from __future__ import annotations

import io
import uuid
from typing import TYPE_CHECKING

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils.translation import gettext_lazy as _
from PIL import Image, ImageOps, UnidentifiedImageError

from shouhu.core.errors import DomainError, NotAllowedError
from shouhu.core.history import acting_as
from shouhu.core.policy import CHANGE, policy_for
from shouhu.registry.models import Child

if TYPE_CHECKING:
    from django.core.files.uploadedfile import UploadedFile

    from shouhu.accounts.models import User

MAX_BYTES = 8 * 1024 * 1024  # a phone's photo, not a scan of an album
MAX_PIXELS = 50_000_000  # refuses decompression bombs before decoding
LONG_SIDE = 1200  # enough to recognise a child on a screen or a printed file
FORMATS = frozenset({"JPEG", "PNG", "WEBP", "HEIF", "MPO"})
QUALITY = 85


def clean_photo(upload: UploadedFile[bytes]) -> ContentFile[bytes]:
    """The photo as Shouhu keeps it (a JPEG without metadata), or a ``DomainError`` on field ``photo``."""
    if upload.size is not None and upload.size > MAX_BYTES:
        raise DomainError(_("The photo is larger than 8 MB. Please choose a smaller picture."), field="photo")
    try:
        with Image.open(upload) as image:
            if image.format not in FORMATS:
                raise DomainError(_("Only JPEG, PNG or WebP pictures can be used as a photo."), field="photo")
            if image.width * image.height > MAX_PIXELS:
                raise DomainError(_("The picture has too many pixels to be a photo."), field="photo")
            upright = ImageOps.exif_transpose(image)
            upright.thumbnail((LONG_SIDE, LONG_SIDE))
            out = io.BytesIO()
            upright.convert("RGB").save(out, format="JPEG", quality=QUALITY, optimize=True)
    except (UnidentifiedImageError, OSError, Image.DecompressionBombError) as exc:
        raise DomainError(_("This file is not a picture that can be read."), field="photo") from exc
    return ContentFile(out.getvalue(), name=f"{uuid.uuid4().hex}.jpg")


def set_photo(*, actor: User, child: Child, upload: UploadedFile[bytes] | None) -> Child:
    """Replace ``child``'s photo by ``upload`` (``None`` removes it); the old file is deleted after commit."""
    if not policy_for(Child).can(actor, CHANGE, child):
        raise NotAllowedError()
    content = clean_photo(upload) if upload is not None else None
    old = child.photo.name
    storage = child.photo.storage
    written = ""
    try:
        with transaction.atomic(), acting_as(actor):
            locked = Child.objects.select_for_update().get(pk=child.pk)
            if content is not None:
                locked.photo.save(content.name or "photo.jpg", content, save=False)
                written = locked.photo.name or ""
            else:
                locked.photo = None  # type: ignore[assignment]
            locked.save(update_fields=["photo", "updated_at"])
            if old and old != locked.photo.name:
                transaction.on_commit(lambda: storage.delete(old))
    except BaseException:
        if written:  # nothing was recorded: the new file must not stay behind
            storage.delete(written)
        raise
    return locked
