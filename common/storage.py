from django.core.files.storage import FileSystemStorage


class PrivateFileSystemStorage(FileSystemStorage):
    """Files with no URL at all: FileSystemStorage would otherwise fall back to MEDIA_URL.

    Private files are served only by views that first check who asks.
    """

    def url(self, name):
        raise ValueError("Private files have no URL; serve them through a view that checks access.")
