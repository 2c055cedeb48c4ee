from django.db import models
from django.utils.translation import gettext_lazy as _


class Level(models.TextChoices):
    PROVINCE = "province", _("Province")
    CITY = "city", _("Prefecture-level city")
    COUNTY = "county", _("County / district")
    TOWNSHIP = "township", _("Township / sub-district")
    VILLAGE = "village", _("Village / community")


class UrbanRuralClass(models.TextChoices):
    """城乡分类代码 as seen in the statistical tables (DOMAIN.md §6.1; 123 is unconfirmed)."""

    MAIN_URBAN = "111", _("111 Main urban area")
    URBAN_RURAL_FRINGE = "112", _("112 Urban-rural fringe")
    TOWN_CENTRE = "121", _("121 Town centre")
    TOWN_RURAL_FRINGE = "122", _("122 Town-rural fringe")
    SPECIAL_AREA = "123", _("123 Special area")
    TOWNSHIP_CENTRE = "210", _("210 Township centre")
    VILLAGE = "220", _("220 Village")
