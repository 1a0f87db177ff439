"""The site's form renderer: Django's own, with two words changed.

- A checkbox's label has no colon. Django ends every label with the form's label suffix (":"); a
  checkbox stands before its label (the site's CSS), where "☐ Sterilised:" reads as a question left open.
- The empty choice of a select says "Choose…" ("Pilih…") instead of Django's "---------", which reads as
  a broken list to someone who has never seen a Django form.
"""

from django.db.models.fields import BLANK_CHOICE_DASH
from django.forms import ChoiceField, ModelChoiceField
from django.forms.boundfield import BoundField
from django.forms.renderers import DjangoTemplates
from django.utils.choices import BlankChoiceIterator
from django.utils.translation import gettext_lazy as _

DJANGO_DASHES = BLANK_CHOICE_DASH[0][1]  # "---------"
CHOOSE = _("Choose…")


class SiteBoundField(BoundField):
    def __init__(self, form, field, name):
        # `field` is the form instance's own copy (Form.__init__ deep-copies its fields).
        if isinstance(field, ModelChoiceField) and field.empty_label == DJANGO_DASHES:
            field.empty_label = CHOOSE
        if isinstance(field, ChoiceField):
            choices = field.choices
            if isinstance(choices, BlankChoiceIterator):  # a model field's choices, blank first (lazy)
                if choices.blank_choice == BLANK_CHOICE_DASH:
                    choices.blank_choice = [("", CHOOSE)]
                    field.choices = choices  # the widget holds a copy of its own
            elif isinstance(choices, list) and any(label == DJANGO_DASHES for _value, label in choices):
                # choices set as a list (grouped breeds, a salon's cities)
                field.choices = [(v, CHOOSE if label == DJANGO_DASHES else label) for v, label in choices]
        super().__init__(form, field, name)

    def label_tag(self, contents=None, attrs=None, label_suffix=None, tag=None):
        if label_suffix is None and self.widget_type == "checkbox":
            label_suffix = ""
        return super().label_tag(contents, attrs, label_suffix, tag)


class SiteFormRenderer(DjangoTemplates):
    bound_field_class = SiteBoundField
