"""Upload checks shared by every app.

Images are checked by content (Pillow decodes them, the file name is ignored), size-capped,
re-encoded and so stripped of EXIF (GPS position in phone photos, camera serials). Documents may be
an image (treated the same way) or a PDF (checked by its header).
"""

import io
import uuid

from django import forms
from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import storages
from django.utils.translation import gettext_lazy as _
from PIL import Image, ImageOps, UnidentifiedImageError

ALLOWED_IMAGE_FORMATS = {"JPEG", "PNG", "WEBP"}
MAX_IMAGE_SIDE = 2560
MAX_PIXELS = 40_000_000


def private_storage():
    return storages["private"]


def _check_size(upload):
    limit = settings.MAX_UPLOAD_BYTES
    if upload.size > limit:
        raise forms.ValidationError(
            _("The file is too large (%(size)s MB). The limit is %(limit)s MB."),
            code="file_too_large",
            params={"size": f"{upload.size / 1048576:.1f}", "limit": f"{limit / 1048576:.0f}"},
        )


def reencode_image(upload) -> ContentFile:
    """Decode, normalise orientation, shrink and re-encode an uploaded image; raise ValidationError."""
    _check_size(upload)
    upload.seek(0)
    try:
        with Image.open(upload) as probe:
            fmt = probe.format
            if fmt not in ALLOWED_IMAGE_FORMATS:
                raise forms.ValidationError(_("Upload a JPEG, PNG or WebP image."), code="image_format")
            if probe.width * probe.height > MAX_PIXELS:
                raise forms.ValidationError(_("The image has too many pixels."), code="image_pixels")
            probe.verify()
        upload.seek(0)
        with Image.open(upload) as image:
            image.load()
            image = ImageOps.exif_transpose(image)
            image.thumbnail((MAX_IMAGE_SIDE, MAX_IMAGE_SIDE))
            out = io.BytesIO()
            if fmt == "PNG" or image.mode in ("RGBA", "LA", "P"):
                image = image.convert("RGBA") if image.mode != "RGBA" else image
                image.save(out, format="PNG", optimize=True)
                ext = "png"
            else:
                image.convert("RGB").save(out, format="JPEG", quality=85, optimize=True)
                ext = "jpg"
    except forms.ValidationError:
        raise
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError):
        raise forms.ValidationError(_("The file is not a valid image or is damaged."), code="invalid_image")
    return ContentFile(out.getvalue(), name=f"{uuid.uuid4().hex}.{ext}")


def _is_new_upload(upload, initial) -> bool:
    """A file the person just sent (not the stored one, not an empty field)."""
    return (
        bool(upload)
        and upload is not initial
        and hasattr(upload, "read")
        and not getattr(upload, "_committed", False)
    )


class SafeImageField(forms.FileField):
    """An image upload that comes out of `clean()` re-encoded, EXIF-free and renamed."""

    default_error_messages = {"invalid_image": _("The file is not a valid image or is damaged.")}

    def __init__(self, *args, **kwargs):
        kwargs.setdefault(
            "widget", forms.ClearableFileInput(attrs={"accept": "image/jpeg,image/png,image/webp"})
        )
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        upload = super().clean(data, initial)
        if not _is_new_upload(upload, initial):
            return upload
        return reencode_image(upload)


class SafeDocumentField(forms.FileField):
    """A document scan: an image (re-encoded like SafeImageField) or a PDF checked by its header."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault(
            "widget",
            forms.ClearableFileInput(attrs={"accept": "image/jpeg,image/png,image/webp,application/pdf"}),
        )
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        upload = super().clean(data, initial)
        if not _is_new_upload(upload, initial):
            return upload
        _check_size(upload)
        upload.seek(0)
        head = upload.read(5)
        upload.seek(0)
        if head == b"%PDF-":
            return ContentFile(upload.read(), name=f"{uuid.uuid4().hex}.pdf")
        try:
            return reencode_image(upload)
        except forms.ValidationError as error:
            if error.code in ("invalid_image", "image_format"):
                raise forms.ValidationError(
                    _("Upload a PDF or a JPEG, PNG or WebP image."), code="document_format"
                )
            raise
