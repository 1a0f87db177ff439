from django.urls import path

from . import simulator, views

app_name = "payments"
urlpatterns = [
    path("<uuid:pk>/", views.pay, name="pay"),
    path("<uuid:pk>/finish/", views.finish, name="finish"),
    path("midtrans/notification/", views.notification, name="notification"),
    # The offline stand-in for Midtrans (404 whenever real keys are configured).
    path("simulator/snap/v1/transactions", simulator.snap_create, name="sim_snap_create"),
    path("simulator/snap/v2/vtweb/<str:token>", simulator.checkout, name="sim_checkout"),
    path("simulator/api/v2/<str:order_id>/status", simulator.status, name="sim_status"),
    path("simulator/api/v2/<str:order_id>/refund", simulator.refund, name="sim_refund"),
    path("simulator/api/v2/<str:order_id>/expire", simulator.expire, name="sim_expire"),
    path("simulator/api/v2/<str:order_id>/cancel", simulator.cancel, name="sim_cancel"),
]
