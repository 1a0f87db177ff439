app_name = "grooming"
urlpatterns = []
