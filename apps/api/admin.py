"""Operators look at API keys, webhook endpoints and deliveries (read only: keys are created
and revoked by the organization's Global admins, staff keys by `create_staff_api_key`)."""

from django import forms
from django.contrib import admin
from django.db import models

from apps.core.admin import ReadOnlyAdminMixin

from .models import ApiKey, WebhookDelivery, WebhookEndpoint


@admin.register(ApiKey)
class ApiKeyAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("name", "prefix", "partner", "role", "created_at", "expires_at", "revoked_at")
    list_filter = ("role",)
    search_fields = ("name", "prefix", "partner__name")
    list_select_related = ("partner",)
    exclude = ("key_hash",)
    show_full_result_count = False


@admin.register(WebhookEndpoint)
class WebhookEndpointAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("url", "partner", "is_active", "created_at")
    search_fields = ("url", "partner__name")
    list_select_related = ("partner",)
    exclude = ("secret",)
    formfield_overrides = {
        models.URLField: {"form_class": forms.URLField, "assume_scheme": "https"}
    }
    show_full_result_count = False


@admin.register(WebhookDelivery)
class WebhookDeliveryAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("event_type", "endpoint", "status", "attempts", "response_status", "created_at")
    list_filter = ("status", "event_type")
    search_fields = ("message_id",)
    list_select_related = ("endpoint",)
    show_full_result_count = False
