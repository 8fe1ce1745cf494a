"""Django admin registrations for accounts (operators' back office)."""

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin

from .models import Institution, Membership, User


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    pass


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    autocomplete_fields = ["user"]


@admin.register(Institution)
class InstitutionAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "type", "region", "credit_code"]
    list_filter = ["type", "region"]
    search_fields = ["code", "name", "credit_code"]
    inlines = [MembershipInline]
