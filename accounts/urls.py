from django.contrib.auth import views as auth_views
from django.urls import path, reverse_lazy

from . import views, views_otp
from .forms import QueuedPasswordResetForm

urlpatterns = [
    path("signup/", views.signup, name="signup"),
    path("signup/sent/", views.signup_sent, name="signup_sent"),
    path("signup/confirm/<str:token>/", views.signup_confirm, name="signup_confirm"),
    path("login/", views.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path(
        "password-reset/",
        auth_views.PasswordResetView.as_view(
            form_class=QueuedPasswordResetForm,
            email_template_name="registration/password_reset_email.txt",
            html_email_template_name="registration/password_reset_email.html",
            subject_template_name="registration/password_reset_subject.txt",
        ),
        name="password_reset",
    ),
    path("password-reset/sent/", auth_views.PasswordResetDoneView.as_view(), name="password_reset_done"),
    path(
        "reset/<uidb64>/<token>/",
        views.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path("reset/done/", auth_views.PasswordResetCompleteView.as_view(), name="password_reset_complete"),
    path(
        "password/",
        auth_views.PasswordChangeView.as_view(success_url=reverse_lazy("profile")),
        name="password_change",
    ),
    path("two-factor/", views_otp.two_factor, name="two_factor"),
    path("profile/", views.profile, name="profile"),
    path("delete/", views.account_delete, name="account_delete"),
    path("verification/", views.verification, name="verification"),
    path("verification/<int:pk>/scan/", views.verification_scan, name="verification_scan"),
    path("verification/<int:pk>/delete/", views.verification_delete, name="verification_delete"),
    path("vet-licence/", views.vet_licence, name="vet_licence"),
    path("vet-licence/<int:pk>/document/", views.vet_licence_document, name="vet_licence_document"),
    path("vet-licence/<int:pk>/delete/", views.vet_licence_delete, name="vet_licence_delete"),
]
