"""Form widgets that render in Python, for the list pages' filter forms.

Django renders a <select> through one template include per <option>: the adoption filter's city list
(150 cities at 100x data) took ~20 ms of a page (measured, see docs/benchmarks.md), and the cost grew
with the data. `FastSelect` writes the same HTML as Django's "django/forms/widgets/select.html"
directly; `use_fast_selects(form)` swaps it in for every plain Select of a form.
"""

from django import forms
from django.utils.html import conditional_escape
from django.utils.safestring import mark_safe


def _attrs(attrs: dict) -> str:
    """What "django/forms/widgets/attrs.html" renders."""
    parts = []
    for name, value in attrs.items():
        if value is False:
            continue
        if value is True:
            parts.append(f" {name}")
        else:
            parts.append(f' {name}="{conditional_escape(str(value))}"')
    return "".join(parts)


class FastSelect(forms.Select):
    def render(self, name, value, attrs=None, renderer=None):
        widget = self.get_context(name, value, attrs)["widget"]
        html = [f'<select name="{conditional_escape(widget["name"])}"{_attrs(widget["attrs"])}>']
        for group_name, options, _index in widget["optgroups"]:
            if group_name:
                html.append(f'\n  <optgroup label="{conditional_escape(group_name)}">')
            for option in options:
                html.append(
                    f'\n  <option value="{conditional_escape(str(option["value"]))}"'
                    f"{_attrs(option['attrs'])}>{conditional_escape(option['label'])}</option>\n"
                )
            if group_name:
                html.append("\n  </optgroup>")
        html.append("\n</select>")
        return mark_safe("".join(html))  # noqa: S308 - every value above is escaped


def use_fast_selects(form: forms.BaseForm) -> None:
    for field in form.fields.values():
        if type(field.widget) is forms.Select:
            fast = FastSelect(attrs=field.widget.attrs, choices=field.widget.choices)
            fast.is_required = field.widget.is_required
            field.widget = fast
