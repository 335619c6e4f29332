from django.urls import path

from . import views

app_name = "partners"

urlpatterns = [
    path("p/<str:partner_id>/", views.PartnerHomeView.as_view(), name="home"),
]
