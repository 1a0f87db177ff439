"""Serving private files (KTP scans, licences, vaccination books, chat photos).

Files live in the "private" storage, which has no URL. A view first fetches the owning object *for
the user* (404 otherwise), then answers with `serve_private_file`.
"""

import mimetypes

from django.db import transaction
from django.db.models.signals import post_delete
from django.http import FileResponse, Http404
from django.utils.html import format_html


def serve_private_file(field_file, *, download_name: str | None = None) -> FileResponse:
    if not field_file:
        raise Http404
    try:
        handle = field_file.storage.open(field_file.name, "rb")
    except FileNotFoundError:
        raise Http404
    content_type = mimetypes.guess_type(field_file.name)[0] or "application/octet-stream"
    response = FileResponse(handle, content_type=content_type)
    # Images (re-encoded on upload) show in the browser; anything else, PDFs included, is downloaded:
    # a PDF viewer is a document runtime of its own. And whatever it is, it runs sandboxed: no script,
    # no same-origin access to the member's session, should a hostile file ever get through.
    disposition = "inline" if content_type.startswith("image/") else "attachment"
    response["Content-Disposition"] = (
        f'{disposition}; filename="{download_name or field_file.name.rsplit("/", 1)[-1]}"'
    )
    response["Content-Security-Policy"] = "sandbox"
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response


def admin_file_link(field_file, url: str):
    """How admin shows a private file: a link to its access-checked view. Never `field_file.url`:
    private storage has none (admin's default display of a file field asks for it and fails)."""
    if not field_file:
        return "-"
    return format_html(
        '<a href="{}" target="_blank" rel="noopener">{}</a>', url, field_file.name.rsplit("/", 1)[-1]
    )


def delete_file_after_commit(field_file) -> None:
    """Remove a stored file once the transaction that dropped its reference has committed."""
    if not field_file:
        return
    storage, name = field_file.storage, field_file.name
    transaction.on_commit(lambda: storage.delete(name))


def delete_files_with_rows(model, *field_names: str) -> None:
    """Delete the named file fields' files whenever a row of `model` is deleted, bulk deletes and
    cascades included (UU PDP: deleting an account or a verification deletes the scans too)."""

    def _delete(sender, instance, **kwargs):
        for name in field_names:
            delete_file_after_commit(getattr(instance, name))

    post_delete.connect(_delete, sender=model, weak=False, dispatch_uid=f"delete-files-{model._meta.label}")
