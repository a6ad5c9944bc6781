from django.contrib.admin.apps import AdminConfig


class BreakFixAdminConfig(AdminConfig):
    """django.contrib.admin with `config.admin_site.BreakFixAdminSite` as `admin.site`."""

    default_site = "config.admin_site.BreakFixAdminSite"
