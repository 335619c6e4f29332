from django.urls import path

from . import views

app_name = "customers"

urlpatterns = [
    path("c/<str:customer_id>/", views.CustomerHomeView.as_view(), name="home"),
]
