"""The learner's payment pages, under /<provider>/<activity>/ (namespace "learner_payments")."""

from django.urls import path

from cmeconf.registration import views_payments

app_name = "learner_payments"

urlpatterns = [
    path("my-registration/pay/", views_payments.pay, name="pay"),
    path("my-registration/pay/done/", views_payments.stripe_return, name="stripe_return"),
    path("my-registration/invoice.pdf", views_payments.invoice, name="invoice"),
    path("my-registration/receipt.pdf", views_payments.receipt, name="receipt"),
]
