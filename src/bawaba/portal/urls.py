from django.contrib.auth import views as auth_views
from django.urls import path

from . import views

app_name = "portal"

urlpatterns = [
    path("", views.home, name="home"),
    path("services/", views.service_list, name="service_list"),
    path("services/<str:code>/", views.service_detail, name="service_detail"),
    path("services/<str:code>/start/", views.service_start, name="service_start"),
    path("agencies/", views.agency_list, name="agency_list"),
    path("agencies/<slug:code>/", views.agency_detail, name="agency_detail"),
    path("categories/", views.category_list, name="category_list"),
    path("categories/<slug:code>/", views.category_detail, name="category_detail"),
    path("life-events/", views.life_event_list, name="life_event_list"),
    path("life-events/<slug:code>/", views.life_event_detail, name="life_event_detail"),
    path("search/", views.search, name="search"),
    path("help/", views.help_page, name="help"),
    path(
        "account/sign-in/", auth_views.LoginView.as_view(template_name="portal/sign_in.html"), name="sign_in"
    ),
    path("account/sign-out/", auth_views.LogoutView.as_view(), name="sign_out"),
]
