"""Views of accounts: log-in and second factor (``auth``), users, agencies and the xlsx import.

``shouhu.accounts.views.locked_out`` is the lock-out page of django-axes
(``AXES_LOCKOUT_CALLABLE``).
"""

from shouhu.accounts.views.auth import locked_out

__all__ = ["locked_out"]
