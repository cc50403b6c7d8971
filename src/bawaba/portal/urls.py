from django.urls import path

from . import (
    account_views,
    application_views,
    apply_views,
    bill_views,
    dev_views,
    message_views,
    passkey_views,
    payment_views,
    views,
)

app_name = "portal"

urlpatterns = [
    path("", views.home, name="home"),
    path("services/", views.service_list, name="service_list"),
    path("services/<str:code>/", views.service_detail, name="service_detail"),
    path("services/<str:code>/start/", views.service_start, name="service_start"),
    path("services/<str:code>/apply/", apply_views.apply_begin, name="apply_begin"),
    path("services/<str:code>/apply/step/<slug:step>/", apply_views.apply_step, name="apply_step"),
    path("services/<str:code>/apply/review/", apply_views.apply_review, name="apply_review"),
    path("services/<str:code>/apply/discard/", apply_views.apply_discard, name="apply_discard"),
    path("services/<str:code>/apply/report/<str:field>/", apply_views.apply_report, name="apply_report"),
    path("services/<str:code>/apply/filed/<uuid:application>/", apply_views.apply_filed, name="apply_filed"),
    path("agencies/", views.agency_list, name="agency_list"),
    path("agencies/<slug:code>/", views.agency_detail, name="agency_detail"),
    path("categories/", views.category_list, name="category_list"),
    path("categories/<slug:code>/", views.category_detail, name="category_detail"),
    path("life-events/", views.life_event_list, name="life_event_list"),
    path("life-events/<slug:code>/", views.life_event_detail, name="life_event_detail"),
    path("search/", views.search, name="search"),
    path("help/", views.help_page, name="help"),
    path("track/", application_views.track, name="track"),
    path("dev/messages/", dev_views.message_inbox, name="dev_messages"),
    path("account/register/", account_views.register, name="register"),
    path("account/register/confirm/", account_views.verify_mobile, name="verify_mobile"),
    path("account/sign-in/", account_views.sign_in, name="sign_in"),
    path("account/sign-in/code/", account_views.sign_in_code, name="sign_in_code"),
    path("account/staff-sign-in/", account_views.staff_sign_in, name="staff_sign_in"),
    path("account/certificate/", account_views.certificate_sign_in_page, name="certificate_sign_in"),
    path("account/oidc/<slug:provider>/start/", account_views.oidc_start, name="oidc_start"),
    path("account/oidc/<slug:provider>/callback/", account_views.oidc_callback, name="oidc_callback"),
    path("account/password/forgotten/", account_views.password_forgotten, name="password_forgotten"),
    path("account/password/reset/", account_views.password_reset, name="password_reset"),
    path("account/step-up/", account_views.step_up, name="step_up"),
    path("account/sign-out/", account_views.sign_out, name="sign_out"),
    path("account/", account_views.account, name="account"),
    path("account/applications/", application_views.application_list, name="application_list"),
    path(
        "account/applications/<uuid:application>/pay/", payment_views.application_pay, name="application_pay"
    ),
    path(
        "account/applications/<uuid:application>/paid/",
        payment_views.application_paid,
        name="application_paid",
    ),
    path("account/payments/<uuid:intent>/receipt/", payment_views.payment_receipt, name="payment_receipt"),
    path("services/<str:code>/paid/", bill_views.bills_paid, name="bills_paid"),
    path(
        "account/applications/<uuid:application>/",
        application_views.application_detail,
        name="application_detail",
    ),
    path(
        "account/applications/<uuid:application>/<slug:action>/",
        application_views.application_act_page,
        name="application_act",
    ),
    path(
        "account/attachments/<uuid:attachment>/", apply_views.attachment_download, name="attachment_download"
    ),
    path("account/messages/", message_views.message_list, name="messages"),
    path("account/messages/read-all/", message_views.messages_mark_all_read, name="messages_all_read"),
    path("account/messages/<uuid:message>/read/", message_views.message_mark_read, name="message_read"),
    path(
        "account/notifications/",
        message_views.notification_preferences,
        name="notification_preferences",
    ),
    path("account/authenticator/", account_views.authenticator_set_up, name="authenticator"),
    path("account/password/", account_views.password_change_page, name="password_change"),
    path("account/mobile/", account_views.mobile_change_page, name="mobile_change"),
    path("account/email/", account_views.email_change_page, name="email_change"),
    path("account/mandates/new/", account_views.mandate_new, name="mandate_new"),
    path(
        "account/mandates/<uuid:delegation>/revoke/", account_views.mandate_revoke_view, name="mandate_revoke"
    ),
    path("account/acting-for/", account_views.acting_for_view, name="acting_for"),
    path("account/sign-out-everywhere/", account_views.sign_out_everywhere, name="sign_out_everywhere"),
    path("account/passkeys/add/", passkey_views.passkey_add, name="passkey_add"),
    path("account/passkeys/add/options/", passkey_views.passkey_add_options, name="passkey_add_options"),
    path("account/passkeys/add/finish/", passkey_views.passkey_add_finish, name="passkey_add_finish"),
    path("account/passkeys/<uuid:passkey>/remove/", passkey_views.passkey_remove_page, name="passkey_remove"),
    path(
        "account/passkeys/sign-in/options/",
        passkey_views.passkey_sign_in_begin,
        name="passkey_sign_in_options",
    ),
    path(
        "account/passkeys/sign-in/finish/",
        passkey_views.passkey_sign_in_finish,
        name="passkey_sign_in_finish",
    ),
    path(
        "account/passkeys/step-up/options/",
        passkey_views.passkey_step_up_begin,
        name="passkey_step_up_options",
    ),
    path(
        "account/passkeys/step-up/finish/",
        passkey_views.passkey_step_up_finish,
        name="passkey_step_up_finish",
    ),
]
