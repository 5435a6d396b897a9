"""Staff payment pages of a registrant. Joined to the "staff" namespace in cmeconf.urls."""

from django.urls import path

from cmeconf.registration import views_payments

PREFIX = "<slug:provider>/<slug:activity>/registration/registrants/<int:registration>/"

urlpatterns = [
    path(f"{PREFIX}refund/", views_payments.refund, name="registration_refund"),
    path(
        f"{PREFIX}refunds/<int:payment>/complete/",
        views_payments.refund_complete,
        name="registration_refund_complete",
    ),
    path(f"{PREFIX}invoice.pdf", views_payments.staff_invoice, name="registration_invoice_pdf"),
    path(f"{PREFIX}receipt.pdf", views_payments.staff_receipt, name="registration_receipt_pdf"),
]
