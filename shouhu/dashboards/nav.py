from django.utils.translation import gettext_lazy as _

from shouhu.core.navigation import NavItem

ITEMS = [
    NavItem(_("Home"), "dashboards:home", "house", visible=lambda user: True, section="work", order=0),
]
