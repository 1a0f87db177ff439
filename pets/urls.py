from django.urls import path

from . import views

app_name = "pets"

urlpatterns = [
    path("", views.pet_list, name="list"),
    path("new/", views.pet_create, name="create"),
    path("<uuid:pk>/", views.pet_detail, name="detail"),
    path("<uuid:pk>/edit/", views.pet_edit, name="edit"),
    path("<uuid:pk>/photo/", views.pet_photo, name="photo"),
    path("<uuid:pk>/weights/", views.weight_add, name="weight_add"),
    path("<uuid:pk>/weights/<int:weight_id>/delete/", views.weight_delete, name="weight_delete"),
    path("<uuid:pk>/vaccinations/", views.vaccination_add, name="vaccination_add"),
    path(
        "<uuid:pk>/vaccinations/<int:vaccination_id>/delete/",
        views.vaccination_delete,
        name="vaccination_delete",
    ),
    path(
        "<uuid:pk>/vaccinations/<int:vaccination_id>/proof/",
        views.vaccination_proof,
        name="vaccination_proof",
    ),
    path("<uuid:pk>/reminders/", views.reminders, name="reminders"),
]
