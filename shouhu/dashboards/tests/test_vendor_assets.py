"""The vendored front-end assets: present, pinned, licensed, and the only ones pages load."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.conf import settings

BASE = Path(settings.BASE_DIR)
VENDOR = BASE / "static" / "vendor"
SCRIPT = (BASE / "scripts" / "vendor-assets.sh").read_text(encoding="utf-8")
PINNED = dict(re.findall(r'^\s+"([a-z.-]+)\|([0-9.]+)\|', SCRIPT, re.M))
TEMPLATE_DIRS = [BASE / "templates", *(BASE / "shouhu").glob("*/templates")]


@pytest.mark.parametrize(
    "path",
    [
        "bootstrap/css/bootstrap.min.css",
        "bootstrap/js/bootstrap.bundle.min.js",
        "bootstrap-icons/bootstrap-icons.min.css",
        "bootstrap-icons/fonts/bootstrap-icons.woff2",
        "htmx/htmx.min.js",
        "echarts/echarts.min.js",
    ],
)
def test_vendored_file_is_present(path):
    assert (VENDOR / path).stat().st_size > 1000


@pytest.mark.parametrize("package", ["bootstrap", "bootstrap-icons", "htmx", "echarts"])
def test_each_package_keeps_its_licence(package):
    assert (VENDOR / package / "LICENSE").exists()


def test_pinned_versions_are_the_required_major_versions():
    assert PINNED["bootstrap"].startswith("5.3.")
    assert PINNED["htmx.org"].startswith("2.")
    assert PINNED["echarts"].split(".")[0] in {"5", "6"}
    assert "bootstrap-icons" in PINNED


def test_readme_lists_every_pinned_package_with_its_version():
    readme = (VENDOR / "README.md").read_text(encoding="utf-8")
    for name, version in PINNED.items():
        assert f"| {name} | {version} |" in readme


def test_vendored_files_carry_the_pinned_versions():
    assert f"v{PINNED['bootstrap']}" in (VENDOR / "bootstrap/css/bootstrap.min.css").read_text(encoding="utf-8")[:300]
    assert f'version:"{PINNED["htmx.org"]}"' in (VENDOR / "htmx/htmx.min.js").read_text(encoding="utf-8")
    assert f'"{PINNED["echarts"]}"' in (VENDOR / "echarts/echarts.min.js").read_text(encoding="utf-8")


def test_source_maps_referenced_by_the_minified_files_are_vendored_too():
    # collectstatic's manifest storage refuses a reference to a missing file.
    for path in [*VENDOR.rglob("*.min.css"), *VENDOR.rglob("*.min.js")]:
        for reference in re.findall(r"sourceMappingURL=([^\s*]+)", path.read_text(encoding="utf-8", errors="ignore")):
            assert (path.parent / reference).exists(), f"{path} refers to missing {reference}"


def test_no_template_loads_anything_from_another_site():
    offenders = []
    for directory in TEMPLATE_DIRS:
        for template in directory.rglob("*.html"):
            text = template.read_text(encoding="utf-8")
            if re.search(r'(src|href)="(https?:)?//', text):
                offenders.append(str(template.relative_to(BASE)))
    assert offenders == []


def test_every_icon_the_shell_and_home_pages_use_exists_in_bootstrap_icons():
    css = (VENDOR / "bootstrap-icons/bootstrap-icons.min.css").read_text(encoding="utf-8")
    used = set()
    for directory in (BASE / "templates", BASE / "shouhu" / "dashboards", BASE / "shouhu" / "core" / "templates"):
        for path in [*directory.rglob("*.html"), *directory.rglob("*.py")]:
            text = path.read_text(encoding="utf-8")
            used |= set(re.findall(r'(?:\{% icon |icon=)"([a-z0-9-]+)"', text))
            used |= set(re.findall(r'NavItem\([^)]*?"[^"]*", "([a-z0-9-]+)"', text))
    assert used
    missing = sorted(name for name in used if f".bi-{name}::before" not in css)
    assert missing == []
