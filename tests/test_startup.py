"""What a fresh process (web server or Huey worker) has registered once Django is set up."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
PROBE = """
import json, django
django.setup()
from shouhu.core import jobs
from huey.contrib.djhuey import HUEY
periodic = sorted(t.__name__ for t in HUEY._registry._periodic_tasks)
print(json.dumps({"jobs": sorted(jobs._HANDLERS), "periodic": periodic}))
"""


def test_a_fresh_process_knows_every_background_job_and_periodic_task(tmp_path):
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings", "SHOUHU_VAR_DIR": str(tmp_path)}
    env.pop("DATABASE_URL", None)
    result = subprocess.run(  # noqa: S603  (our own probe)
        [sys.executable, "-c", PROBE], cwd=BASE_DIR, env=env, capture_output=True, text=True, timeout=60, check=False
    )
    assert result.returncode == 0, result.stderr
    found = json.loads(result.stdout.strip().splitlines()[-1])
    assert {
        "accounts.user_import",
        "audit.verify_chain",
        "registry.import",
        "registry.export",
        "registry.reclassify_all",
    } <= set(found["jobs"])
    assert any("reclassify" in name for name in found["periodic"])
    assert any("verif" in name for name in found["periodic"])


def test_periodic_tasks_run_on_the_citys_clock(tmp_path):
    probe = """
import json, django
django.setup()
from huey.contrib.djhuey import HUEY
import time
print(json.dumps({"utc": HUEY.utc, "tz": time.strftime("%z")}))
"""
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings", "SHOUHU_VAR_DIR": str(tmp_path), "TZ": "UTC"}
    env.pop("DATABASE_URL", None)
    result = subprocess.run(  # noqa: S603  (our own probe)
        [sys.executable, "-c", probe], cwd=BASE_DIR, env=env, capture_output=True, text=True, timeout=60, check=False
    )
    assert result.returncode == 0, result.stderr
    found = json.loads(result.stdout.strip().splitlines()[-1])
    assert found == {"utc": False, "tz": "+0800"}
