app_name = "adminsite"
urlpatterns = []
