from django.urls import path

from . import views
from .chat.urls import urlpatterns as chat_urlpatterns

app_name = "consultations"

urlpatterns = [
    path("vets/", views.vet_directory, name="vet_directory"),
    path("vets/availability/", views.vet_availability_json, name="vet_availability_json"),
    path("vets/me/", views.vet_dashboard, name="vet_dashboard"),
    path("vets/me/availability/", views.vet_availability, name="vet_availability"),
    path("vets/me/heartbeat/", views.vet_heartbeat, name="vet_heartbeat"),
    path("vets/<int:vet_id>/", views.vet_detail, name="vet_detail"),
    path("vets/<int:vet_id>/consult/", views.consultation_open, name="open"),
    path("consultations/", views.consultation_list, name="list"),
    path("consultations/<uuid:pk>/accept/", views.consultation_accept, name="accept"),
    path("consultations/<uuid:pk>/end/", views.consultation_end, name="end"),
    path("consultations/<uuid:pk>/summary/", views.consultation_summary, name="summary"),
    path("consultations/<uuid:pk>/summary/print/", views.summary_page, name="summary_page"),
    path("consultations/<uuid:pk>/cancel/", views.consultation_cancel, name="cancel"),
    path("consultations/<uuid:pk>/rate/", views.consultation_rate, name="rate"),
    path("consultations/<uuid:pk>/complaint-photos/<int:photo_id>/", views.consultation_photo, name="photo"),
]
# The chat helper's routes: the room page (name "room"), chat photo upload, attachments.
urlpatterns += chat_urlpatterns
