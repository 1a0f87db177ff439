from .urls_chat import urlpatterns as chat_urlpatterns

app_name = "consultations"
urlpatterns = []
urlpatterns += chat_urlpatterns
