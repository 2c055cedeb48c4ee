"""Field encryption (Fernet via HKDF, rotation with several keys) and keyed hashes."""

from __future__ import annotations

import base64
import hashlib

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.test import override_settings

from shouhu.core import crypto
from shouhu.core.crypto import DecryptionError

OLD = "old-field-key-" + "a" * 40
NEW = "new-field-key-" + "b" * 40
NUMBER = "360426199101010071"


def test_encrypt_then_decrypt_gives_the_text_back():
    token = crypto.encrypt(NUMBER)
    assert NUMBER not in token
    assert crypto.decrypt(token) == NUMBER


@pytest.mark.parametrize("text", ["", "张三", "11010519491231002X", "x" * 1000])
def test_any_text_survives_the_round_trip(text):
    assert crypto.decrypt(crypto.encrypt(text)) == text


def test_the_same_text_encrypts_differently_each_time():
    assert crypto.encrypt(NUMBER) != crypto.encrypt(NUMBER)


def test_a_token_made_with_another_key_does_not_decrypt():
    with override_settings(SHOUHU_FIELD_KEY=OLD):
        token = crypto.encrypt(NUMBER)
    with override_settings(SHOUHU_FIELD_KEY=NEW), pytest.raises(DecryptionError):
        crypto.decrypt(token)


def test_an_altered_token_does_not_decrypt():
    token = crypto.encrypt(NUMBER)
    raw = bytearray(base64.urlsafe_b64decode(token))
    raw[30] ^= 0x01  # one bit of the ciphertext
    with pytest.raises(DecryptionError):
        crypto.decrypt(base64.urlsafe_b64encode(bytes(raw)).decode())


@pytest.mark.parametrize("garbage", ["", "not a token", "gAAAAA", "令牌"])
def test_garbage_does_not_decrypt(garbage):
    with pytest.raises(DecryptionError):
        crypto.decrypt(garbage)


def test_rotation_the_first_key_encrypts_and_every_key_decrypts():
    with override_settings(SHOUHU_FIELD_KEY=OLD):
        old_token = crypto.encrypt(NUMBER)
    with override_settings(SHOUHU_FIELD_KEY=f"{NEW},{OLD}"):
        assert crypto.decrypt(old_token) == NUMBER
        new_token = crypto.encrypt(NUMBER)
        rotated = crypto.rotate(old_token)
    with override_settings(SHOUHU_FIELD_KEY=NEW):
        assert crypto.decrypt(new_token) == NUMBER  # made with the first key
        assert crypto.decrypt(rotated) == NUMBER  # re-encrypted with the first key
        with pytest.raises(DecryptionError):
            crypto.decrypt(old_token)  # the old key is gone: only rotated values survive


def test_spaces_around_the_keys_of_the_list_do_not_matter():
    with override_settings(SHOUHU_FIELD_KEY=OLD):
        token = crypto.encrypt(NUMBER)
    with override_settings(SHOUHU_FIELD_KEY=f" {NEW} , {OLD} "):
        assert crypto.decrypt(token) == NUMBER


@pytest.mark.parametrize("setting", ["", f"{NEW},", f"{NEW},,{OLD}"])
def test_an_empty_key_in_the_setting_fails_loudly(setting):
    with override_settings(SHOUHU_FIELD_KEY=setting), pytest.raises(ImproperlyConfigured):
        crypto.encrypt(NUMBER)


def test_rotate_refuses_a_token_no_key_opens():
    with override_settings(SHOUHU_FIELD_KEY=OLD):
        token = crypto.encrypt(NUMBER)
    with override_settings(SHOUHU_FIELD_KEY=NEW), pytest.raises(DecryptionError):
        crypto.rotate(token)


def test_keyed_hash_is_stable_hex_sha256():
    digest = crypto.keyed_hash(NUMBER, purpose="id_number")
    assert digest == crypto.keyed_hash(NUMBER, purpose="id_number")
    assert len(digest) == 64
    int(digest, 16)


def test_keyed_hash_differs_by_text_purpose_and_key():
    base = crypto.keyed_hash(NUMBER, purpose="id_number")
    assert crypto.keyed_hash("360426199101010072", purpose="id_number") != base
    assert crypto.keyed_hash(NUMBER, purpose="phone") != base
    with override_settings(SHOUHU_HASH_KEY="another-hash-key-" + "c" * 40):
        assert crypto.keyed_hash(NUMBER, purpose="id_number") != base


def test_keyed_hash_is_not_a_plain_hash():
    assert crypto.keyed_hash(NUMBER, purpose="id_number") != hashlib.sha256(NUMBER.encode()).hexdigest()


def test_keyed_hash_does_not_depend_on_the_field_key():
    base = crypto.keyed_hash(NUMBER, purpose="id_number")
    with override_settings(SHOUHU_FIELD_KEY=NEW):
        assert crypto.keyed_hash(NUMBER, purpose="id_number") == base


@pytest.mark.parametrize("purpose", ["", "ID", "id number", "身份证", "1st"])
def test_keyed_hash_refuses_a_bad_purpose_name(purpose):
    with pytest.raises(ValueError, match="purpose"):
        crypto.keyed_hash(NUMBER, purpose=purpose)
