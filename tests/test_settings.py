"""Settings come from the environment; production refuses to start on unsafe values."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings

from config.env import Env, SettingsError, read_secrets

BASE_DIR = Path(__file__).resolve().parent.parent
GOOD_SECRET = "k" * 20 + "Qz8-randomish-secret-value-xyz"
PRODUCTION = {
    "SHOUHU_ENV": "production",
    "SECRET_KEY": GOOD_SECRET + "1",
    "SHOUHU_FIELD_KEY": GOOD_SECRET + "2",
    "SHOUHU_HASH_KEY": GOOD_SECRET + "3",
    "SHOUHU_AUDIT_KEY": GOOD_SECRET + "4",
    "DATABASE_URL": "postgres://shouhu@127.0.0.1:5432/shouhu",
    "ALLOWED_HOSTS": "shouhu.example.gov.cn",
    "DEBUG": "0",
}


def start(environ: dict[str, str], tmp_path: Path) -> subprocess.CompletedProcess[str]:
    """Import the settings in a fresh interpreter, as a server start would."""
    env = {k: v for k, v in os.environ.items() if k not in PRODUCTION and k != "DJANGO_SETTINGS_MODULE"}
    env.update({"SHOUHU_VAR_DIR": str(tmp_path), "DJANGO_SETTINGS_MODULE": "config.settings", **environ})
    return subprocess.run(
        [sys.executable, "-c", "import django; django.setup(); print('started')"],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_production_starts_with_complete_settings(tmp_path):
    result = start(PRODUCTION, tmp_path)
    assert result.returncode == 0, result.stderr
    assert "started" in result.stdout


@pytest.mark.parametrize(
    ("change", "named"),
    [
        ({"SECRET_KEY": ""}, "SECRET_KEY is missing"),
        ({"SHOUHU_AUDIT_KEY": "short"}, "SHOUHU_AUDIT_KEY is shorter than 32"),
        ({"SHOUHU_FIELD_KEY": "django-insecure-" + "x" * 40}, "SHOUHU_FIELD_KEY is a default"),
        ({"DEBUG": "1"}, "DEBUG is on"),
        ({"DATABASE_URL": "sqlite:////tmp/x.sqlite3"}, "DATABASE_URL points at SQLite"),
        ({"ALLOWED_HOSTS": ""}, "ALLOWED_HOSTS is empty"),
        ({"DEBUG": "maybe"}, "DEBUG='maybe' is not a boolean"),
        ({"SESSION_IDLE_MINUTES": "soon"}, "SESSION_IDLE_MINUTES='soon' is not a whole number"),
        ({"SHOUHU_ENV": "prod"}, "SHOUHU_ENV='prod' must be one of"),
    ],
)
def test_production_refuses_to_start_and_names_the_setting(tmp_path, change, named):
    result = start({**PRODUCTION, **change}, tmp_path)
    assert result.returncode != 0
    assert named in result.stderr
    assert "Shouhu cannot start" in result.stderr


def test_production_lists_every_wrong_setting_at_once(tmp_path):
    result = start({**PRODUCTION, "SECRET_KEY": "", "DEBUG": "1"}, tmp_path)
    assert "SECRET_KEY is missing" in result.stderr
    assert "DEBUG is on" in result.stderr


def test_development_generates_its_secrets_once_into_var(tmp_path):
    env = Env(environ={})
    first = read_secrets(env, production=False, var_dir=tmp_path)
    second = read_secrets(env, production=False, var_dir=tmp_path)
    assert first == second
    assert len(set(first.values())) == 4
    stored = tmp_path / "secrets.json"
    assert json.loads(stored.read_text()) == first
    assert stored.stat().st_mode & 0o777 == 0o600


def test_environment_secret_wins_over_the_generated_one(tmp_path):
    env = Env(environ={"SECRET_KEY": GOOD_SECRET})
    assert read_secrets(env, production=False, var_dir=tmp_path)["SECRET_KEY"] == GOOD_SECRET


def test_problems_raise_one_error_listing_all():
    env = Env(environ={"A": "x", "B": "y"})
    env.flag("A", default=False)
    env.integer("B", default=1)
    with pytest.raises(SettingsError) as error:
        env.fail_if_problems()
    assert "A='x'" in str(error.value)
    assert "B='y'" in str(error.value)


HUEY_PROBE = """
import django; django.setup()
from huey.contrib.djhuey import HUEY
HUEY.storage.flush_queue()
HUEY.storage.enqueue(b"probe")
print(type(HUEY).__name__, HUEY.immediate, HUEY.storage.dequeue())
"""


def _probe_huey(environ: dict[str, str], tmp_path: Path) -> str:
    env = {k: v for k, v in os.environ.items() if k not in ("REDIS_URL", "DJANGO_SETTINGS_MODULE", "SHOUHU_ENV")}
    env.update({"SHOUHU_VAR_DIR": str(tmp_path), "DJANGO_SETTINGS_MODULE": "config.settings", **environ})
    result = subprocess.run(  # noqa: S603  (our own probe script)
        [sys.executable, "-c", HUEY_PROBE],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


def test_jobs_queue_in_sqlite_under_var_by_default(tmp_path):
    assert _probe_huey({}, tmp_path) == "SqliteHuey False b'probe'"
    assert (tmp_path / "huey.sqlite3").exists()


def test_jobs_queue_in_redis_when_redis_url_is_set(tmp_path):
    redis = pytest.importorskip("redis")
    url = "redis://127.0.0.1:6379/15"
    try:
        redis.Redis.from_url(url).ping()
    except redis.ConnectionError:
        pytest.skip("no Redis on 127.0.0.1:6379")
    assert _probe_huey({"REDIS_URL": url}, tmp_path) == "RedisHuey False b'probe'"
    assert not (tmp_path / "huey.sqlite3").exists()


def test_jobs_run_immediately_in_the_test_suite():
    assert settings.HUEY["immediate"] is True
