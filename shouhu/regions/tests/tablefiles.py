"""Small division tables written to a temporary directory, in the official files' format."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

HEADERS = {
    "provinces.csv": "code,name",
    "cities.csv": "code,name,provinceCode",
    "areas.csv": "code,name,cityCode,provinceCode",
    "streets.csv": "code,name,areaCode,provinceCode,cityCode",
}
VILLAGE_HEADER = "code,name,streetCode,provinceCode,cityCode,areaCode,urbanRuralClass"


def _mini_lines() -> dict[str, list[str]]:
    return {
        "provinces.csv": ['37,"山东省"', '44,"广东省"'],
        "cities.csv": ['3701,"济南市",37', '3709,"泰安市",37', '4419,"东莞市",44'],
        "areas.csv": [
            '370102,"历下区",3701,37',
            '370902,"泰山区",3709,37',
            '370911,"岱岳区",3709,37',
            '441900,"东莞市",4419,44',
        ],
        "streets.csv": [
            '370102001,"解放路街道",370102,37,3701',
            '370102002,"千佛山街道",370102,37,3701',
            '370902001,"岱庙街道",370902,37,3709',
            '370902002,"财源街道",370902,37,3709',
            '370911106,"满庄镇",370911,37,3709',
            '370911201,"化马湾乡",370911,37,3709',
            '441900003,"东城街道",441900,44,4419',
            '441900101,"石碣镇",441900,44,4419',
        ],
    }


@dataclass
class TableFiles:
    """The lines of the four files (without headers); tests edit them, then ``write`` them."""

    lines: dict[str, list[str]] = field(default_factory=_mini_lines)

    def replace(self, filename: str, startswith: str, line: str | None) -> TableFiles:
        """Replace (or, with None, drop) the line of ``filename`` that starts with ``startswith``."""
        rows = self.lines[filename]
        index = next(i for i, row in enumerate(rows) if row.startswith(startswith))
        if line is None:
            del rows[index]
        else:
            rows[index] = line
        return self

    def add(self, filename: str, line: str) -> TableFiles:
        self.lines[filename].append(line)
        return self

    def write(self, directory: Path) -> Path:
        directory.mkdir(parents=True, exist_ok=True)
        for filename, header in HEADERS.items():
            (directory / filename).write_text("\n".join([header, *self.lines[filename]]) + "\n", encoding="utf-8")
        return directory


def write_villages(path: Path, lines: list[str], header: str = VILLAGE_HEADER) -> Path:
    path.write_text("\n".join([header, *lines]) + "\n", encoding="utf-8")
    return path


# Rows per level of the mini table once imported (the repeated 441900 is the city itself).
MINI_COUNTS = {"province": 2, "city": 3, "county": 3, "township": 8}
