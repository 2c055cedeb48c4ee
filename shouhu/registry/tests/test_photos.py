"""A child's photo: re-encoded without metadata, served only to those who may open the file."""

from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import translation
from PIL import Image

from shouhu.core.errors import DomainError, NotAllowedError
from shouhu.core.testing import assert_permission_matrix, login
from shouhu.registry import photos
from shouhu.registry.models import Child
from shouhu.registry.tests.factories import ChildFactory

SEES_A1A = ["village_director", "township_supervisor", "county_caseworker", "intake_officer", "superuser"]
GPS_IFD = 0x8825


def picture(fmt: str = "JPEG", size: tuple[int, int] = (3000, 2000), *, gps: bool = True) -> SimpleUploadedFile:
    image = Image.new("RGB", size, (200, 120, 40))
    out = io.BytesIO()
    exif = Image.Exif()
    if gps:
        exif[0x010F] = "PhoneMaker"  # camera make
        exif[GPS_IFD] = {1: "N", 2: (36.0, 11.0, 30.0), 3: "E", 4: (117.0, 7.0, 12.0)}
    image.save(out, format=fmt, exif=exif.tobytes() if gps else b"")
    return SimpleUploadedFile(f"IMG_0001.{fmt.lower()}", out.getvalue(), content_type=f"image/{fmt.lower()}")


@pytest.fixture
def child(regions) -> Child:
    return ChildFactory.create(village=regions.village_a1a, name="李小花")


def stored(child: Child) -> Image.Image:
    child.refresh_from_db()
    with child.photo.open("rb") as handle:
        image = Image.open(io.BytesIO(handle.read()))
        image.load()
    return image


def test_a_photo_is_kept_as_a_small_jpeg_without_location_or_camera_data(actors, child):
    upload = picture()
    with Image.open(io.BytesIO(upload.read())) as original:
        assert original.getexif().get_ifd(GPS_IFD)  # the phone's picture says where it was taken
    upload.seek(0)
    photos.set_photo(actor=actors["village_director"], child=child, upload=upload)
    image = stored(child)
    assert image.format == "JPEG"
    assert max(image.size) == photos.LONG_SIDE
    assert image.size == (1200, 800)
    assert not image.getexif()  # nothing of the place or the camera is left
    assert "IMG_0001" not in child.photo.name  # a random name, not the phone's


def test_replacing_a_photo_deletes_the_old_file_and_removing_deletes_it_too(
    actors, child, django_capture_on_commit_callbacks
):
    director = actors["village_director"]
    with django_capture_on_commit_callbacks(execute=True):
        photos.set_photo(actor=director, child=child, upload=picture("PNG", (400, 500), gps=False))
    child.refresh_from_db()
    first = child.photo.name
    storage = child.photo.storage
    with django_capture_on_commit_callbacks(execute=True):
        photos.set_photo(actor=director, child=child, upload=picture())
    child.refresh_from_db()
    assert child.photo.name != first
    assert not storage.exists(first)
    second = child.photo.name
    with django_capture_on_commit_callbacks(execute=True):
        photos.set_photo(actor=director, child=child, upload=None)
    child.refresh_from_db()
    assert not child.photo
    assert not storage.exists(second)


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"%PDF-1.4 not a picture", "not a picture"),
        (b"GIF89a" + b"\x00" * 40, "not a picture"),
    ],
)
def test_a_file_that_is_not_a_usable_picture_is_refused_on_the_field(actors, child, content, message):
    with translation.override("en"), pytest.raises(DomainError, match=message) as caught:
        photos.set_photo(actor=actors["village_director"], child=child, upload=SimpleUploadedFile("a.jpg", content))
    assert caught.value.field == "photo"
    child.refresh_from_db()
    assert not child.photo


def test_a_gif_is_refused_as_a_format(actors, child):
    out = io.BytesIO()
    Image.new("RGB", (10, 10)).save(out, format="GIF")
    with translation.override("en"), pytest.raises(DomainError, match="JPEG, PNG or WebP"):
        photos.set_photo(
            actor=actors["village_director"], child=child, upload=SimpleUploadedFile("a.gif", out.getvalue())
        )


def test_only_those_who_may_change_the_file_set_its_photo(actors, child):
    with pytest.raises(NotAllowedError):
        photos.set_photo(actor=actors["other_village_director"], child=child, upload=picture())


def test_the_photo_is_served_to_those_who_see_the_file_and_nobody_else(actors, child):
    photos.set_photo(actor=actors["village_director"], child=child, upload=picture())
    url = reverse("registry:photo", args=[child.pk])
    assert_permission_matrix(actors, url=url, allowed=SEES_A1A)
    response = login(Client(), actors["township_supervisor"]).get(url)
    assert response["Content-Type"] == "image/jpeg"
    assert "no-store" in response["Cache-Control"]
    assert response.getvalue()[:2] == b"\xff\xd8"  # a JPEG


def test_a_file_without_a_photo_answers_404_for_its_photo(actors, child):
    response = login(Client(), actors["village_director"]).get(reverse("registry:photo", args=[child.pk]))
    assert response.status_code == 404


def test_the_photo_form_on_a_phone_saves_and_shows_the_photo_on_the_file(actors, child):
    client = login(Client(), actors["village_director"])
    url = reverse("registry:photo_edit", args=[child.pk])
    page = client.get(url).content.decode()
    assert 'enctype="multipart/form-data"' in page
    response = client.post(url, {"photo": picture()})
    assert response.status_code == 302
    detail = client.get(reverse("registry:detail", args=[child.pk])).content.decode()
    assert reverse("registry:photo", args=[child.pk]) in detail


def test_a_rejected_photo_keeps_the_form_with_the_reason(actors, child):
    client = login(Client(), actors["village_director"])
    url = reverse("registry:photo_edit", args=[child.pk])
    response = client.post(url, {"photo": SimpleUploadedFile("x.jpg", b"nonsense")}, HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert response.status_code == 200
    page = response.content.decode()
    assert 'id="field-photo"' in page
    assert "该文件不是可读取的图片。" in page
    empty = client.post(url, {})
    assert empty.status_code == 200
    child.refresh_from_db()
    assert not child.photo


def test_the_photo_form_is_for_those_who_may_change_the_file(actors, child):
    assert_permission_matrix(actors, url=reverse("registry:photo_edit", args=[child.pk]), allowed=SEES_A1A)
