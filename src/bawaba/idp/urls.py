from django.urls import path

from . import views

urlpatterns = [
    path(".well-known/openid-configuration", views.discovery),
    path("jwks", views.jwks),
    path("authorize", views.authorize),
    path("token", views.token),
    path("userinfo", views.userinfo),
]
