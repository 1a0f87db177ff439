from django.urls import path

from . import views

app_name = "grooming"

# Fixed paths come before <slug:slug>/; their first words are reserved as slugs (models.RESERVED_SLUGS).
urlpatterns = [
    path("", views.directory, name="directory"),
    path("bookings/", views.bookings, name="bookings"),
    path("bookings/<int:pk>/", views.booking_detail, name="booking"),
    path("bookings/<int:pk>/review/", views.booking_review, name="booking_review"),
    path("bookings/<int:pk>/reschedule/", views.booking_reschedule, name="booking_reschedule"),
    path("bookings/<int:pk>/<slug:action>/", views.booking_action, name="booking_action"),
    path("reviews/<int:pk>/reply/", views.review_reply, name="review_reply"),
    path("manage/", views.manage, name="manage"),
    path("manage/<slug:slug>/", views.manage_salon, name="manage_salon"),
    path("<slug:slug>/", views.salon_detail, name="salon"),
    path("<slug:slug>/book/", views.book, name="book"),
]
