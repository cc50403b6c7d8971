from django.urls import path, re_path

from . import refunds, views

urlpatterns = [
    path("v1/payments", views.payment_create),
    path("v1/payments/<str:payment_id>", views.payment_read),
    path("v1/payments/<str:payment_id>/refunds", refunds.refund_create_view),
    re_path(r"^v1/refunds/(?P<day>\d{4}-\d{2}-\d{2})\.csv$", refunds.refunds_read),
    re_path(r"^v1/settlements/(?P<day>\d{4}-\d{2}-\d{2})\.csv$", views.settlement_read),
    path("pay/<str:payment_id>", views.pay),
    path("pay/<str:payment_id>/challenge", views.challenge),
]
