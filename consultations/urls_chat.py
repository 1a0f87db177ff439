# Owned by the chat helper: the room page, photo upload and attachment views.
urlpatterns = []
