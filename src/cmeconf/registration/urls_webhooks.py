"""Payment gateways' webhooks, under /payments/."""

from django.urls import path

from cmeconf.registration import views_payments

app_name = "payment_webhooks"

urlpatterns = [
    path("stripe/webhook/", views_payments.stripe_webhook, name="stripe"),
]
