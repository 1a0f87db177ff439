from django.urls import path

from . import views

app_name = "adoption"
urlpatterns = [
    path("", views.browse, name="browse"),
    path("pets/new/", views.pet_create, name="pet_create"),
    path("pets/<uuid:pk>/", views.pet_detail, name="pet"),
    path("pets/<uuid:pk>/edit/", views.pet_edit, name="pet_edit"),
    path("pets/<uuid:pk>/delete/", views.pet_delete, name="pet_delete"),
    path("pets/<uuid:pk>/vaccination-book/", views.vaccination_book, name="vaccination_book"),
    path("cart/", views.cart, name="cart"),
    path("cart/add/<uuid:pk>/", views.cart_add, name="cart_add"),
    path("cart/remove/<uuid:pk>/", views.cart_remove, name="cart_remove"),
    path("checkout/", views.checkout, name="checkout"),
    path("applications/", views.applications, name="applications"),
    path("applications/<int:pk>/pay/", views.application_pay, name="application_pay"),
    path("applications/<int:pk>/received/", views.application_received, name="application_received"),
    path("applications/<int:pk>/withdraw/", views.application_withdraw, name="application_withdraw"),
    path("applications/<int:pk>/report/", views.report_create, name="report_create"),
    path("listings/", views.listings, name="listings"),
    path("listings/applications/<int:pk>/approve/", views.application_approve, name="application_approve"),
    path("listings/applications/<int:pk>/decline/", views.application_decline, name="application_decline"),
    path(
        "listings/applications/<int:pk>/handover-failed/",
        views.application_handover_failed,
        name="application_handover_failed",
    ),
]
