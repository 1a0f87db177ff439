from django.urls import path

from . import views

app_name = "earnings"
urlpatterns = [
    path("earnings/", views.earnings_home, name="home"),
    path("earnings/statements/<int:partner_id>/<int:year>-<int:month>/", views.statement, name="statement"),
    path(
        "earnings/statements/<int:partner_id>/<int:year>-<int:month>.csv",
        views.statement_csv,
        name="statement_csv",
    ),
    path("partners/", views.pricing, name="pricing"),
]
