"""The site's form renderer: Django's own, except that a checkbox's label has no colon.

Django ends every label with the form's label suffix (":"). A checkbox stands before its label (the
site's CSS), where "☐ Sterilised:" reads as a question left open; its label is the whole statement.
"""

from django.forms.boundfield import BoundField
from django.forms.renderers import DjangoTemplates


class SiteBoundField(BoundField):
    def label_tag(self, contents=None, attrs=None, label_suffix=None, tag=None):
        if label_suffix is None and self.widget_type == "checkbox":
            label_suffix = ""
        return super().label_tag(contents, attrs, label_suffix, tag)


class SiteFormRenderer(DjangoTemplates):
    bound_field_class = SiteBoundField
