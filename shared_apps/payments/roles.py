"""Which operators see payments: administrators, finance and auditors."""

from shared_apps.accounts import roles

READ = roles.FINANCE | roles.REVIEW
