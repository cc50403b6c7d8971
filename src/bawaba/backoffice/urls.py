from django.urls import path

from . import (
    application_views,
    counter_views,
    delegation_views,
    finance_views,
    notification_views,
    queue_views,
    refund_views,
    staff_views,
    views,
)

app_name = "backoffice"

urlpatterns = [
    path("", views.home, name="home"),
    path("activate/", views.activate, name="activate"),
    path("activate/done/", views.activated, name="activated"),
    path("counter/", counter_views.counter, name="counter"),
    path("counter/shift/open/", counter_views.counter_shift_open, name="counter_shift_open"),
    path("counter/shift/close/", counter_views.counter_shift_close, name="counter_shift_close"),
    path("counter/pay/", counter_views.counter_pay, name="counter_pay"),
    path("counter/receipts/<uuid:intent>/", counter_views.counter_receipt_page, name="counter_receipt"),
    path("counter/shifts/", counter_views.counter_shifts, name="counter_shifts"),
    path("counter/shifts/<uuid:shift>/", counter_views.counter_shift_page, name="counter_shift"),
    path("finance/settlements/", finance_views.settlement_list, name="settlements"),
    path("finance/settlements/<uuid:run>/", finance_views.settlement_run_page, name="settlement_run"),
    path(
        "finance/settlements/<uuid:run>/run-again/",
        finance_views.settlement_run_again,
        name="settlement_run_again",
    ),
    path(
        "finance/settlements/<uuid:run>/findings/<uuid:mismatch>/",
        finance_views.settlement_mismatch_page,
        name="settlement_mismatch",
    ),
    path("notifications/", notification_views.operations, name="notifications"),
    path(
        "notifications/messages/<uuid:message>/",
        notification_views.message_page,
        name="notification_message",
    ),
    path(
        "notifications/messages/<uuid:message>/send-again/",
        notification_views.message_retry_page,
        name="notification_retry",
    ),
    path("notifications/templates/", notification_views.template_list, name="notification_templates"),
    path(
        "notifications/templates/<str:notice>/<str:language>/",
        notification_views.template_edit,
        name="notification_template",
    ),
    path(
        "notifications/templates/<str:notice>/<str:language>/restore/",
        notification_views.template_restore_page,
        name="notification_template_restore",
    ),
    path("agencies/<slug:agency>/staff/", staff_views.staff_list, name="staff_list"),
    path("agencies/<slug:agency>/staff/new/", staff_views.staff_add, name="staff_add"),
    path("agencies/<slug:agency>/staff/<uuid:member>/", staff_views.staff_member, name="staff_member"),
    path("agencies/<slug:agency>/staff/<uuid:member>/grant/", staff_views.staff_grant, name="staff_grant"),
    path(
        "agencies/<slug:agency>/staff/<uuid:member>/withdraw/",
        staff_views.staff_withdraw,
        name="staff_withdraw",
    ),
    path(
        "agencies/<slug:agency>/staff/<uuid:member>/deactivate/",
        staff_views.staff_deactivate,
        name="staff_deactivate",
    ),
    path(
        "agencies/<slug:agency>/staff/<uuid:member>/reactivate/",
        staff_views.staff_reactivate,
        name="staff_reactivate",
    ),
    path(
        "agencies/<slug:agency>/staff/<uuid:member>/activation-code/",
        staff_views.staff_resend,
        name="staff_resend",
    ),
    path("agencies/<slug:agency>/delegations/", delegation_views.delegation_list, name="delegation_list"),
    path("agencies/<slug:agency>/delegations/child/new/", delegation_views.child_new, name="child_new"),
    path("agencies/<slug:agency>/delegations/company/new/", delegation_views.company_new, name="company_new"),
    path(
        "agencies/<slug:agency>/delegations/<uuid:delegation>/end/",
        delegation_views.delegation_end_page,
        name="delegation_end",
    ),
    path("agencies/<slug:agency>/refunds/", refund_views.refund_list, name="refunds"),
    path(
        "agencies/<slug:agency>/refunds/payments/<uuid:intent>/", refund_views.refund_new, name="refund_new"
    ),
    path("agencies/<slug:agency>/refunds/<uuid:refund>/", refund_views.refund_page, name="refund"),
    path("agencies/<slug:agency>/applications/", queue_views.queue, name="queue"),
    path("agencies/<slug:agency>/applications/receive/", queue_views.queue_receive, name="queue_receive"),
    path("agencies/<slug:agency>/applications/team/", queue_views.team, name="team"),
    path(
        "agencies/<slug:agency>/applications/<uuid:application>/",
        application_views.application_page,
        name="application",
    ),
    path(
        "agencies/<slug:agency>/applications/<uuid:application>/act/",
        application_views.application_act_page,
        name="application_act",
    ),
    path(
        "agencies/<slug:agency>/applications/<uuid:application>/claim/",
        application_views.application_claim_page,
        name="application_claim",
    ),
    path(
        "agencies/<slug:agency>/applications/<uuid:application>/release/",
        application_views.application_release_page,
        name="application_release",
    ),
    path(
        "agencies/<slug:agency>/applications/<uuid:application>/assign/",
        application_views.application_assign_page,
        name="application_assign",
    ),
    path(
        "agencies/<slug:agency>/applications/<uuid:application>/notes/",
        application_views.application_note_page,
        name="application_note",
    ),
    path(
        "agencies/<slug:agency>/applications/<uuid:application>/documents/<uuid:document>/",
        application_views.application_document,
        name="application_document",
    ),
]
