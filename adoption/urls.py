app_name = "adoption"
urlpatterns = []
