"""FastSelect writes exactly what Django's select template writes, only faster."""

import pytest
from django import forms

from common.widgets import FastSelect, use_fast_selects


class Sample(forms.Form):
    plain = forms.ChoiceField(choices=[("", "Semua"), ("a", "A & <b>"), ("b", 'Kota "B"')], required=False)
    grouped = forms.ChoiceField(choices=[("Jawa", [("1", "Bandung"), ("2", "Bogor")]), ("3", "Lain")])
    tagged = forms.ChoiceField(choices=[("x", "X")], widget=forms.Select(attrs={"class": "f", "data-k": "v"}))


@pytest.mark.parametrize("data", [{}, {"plain": "a", "grouped": "2", "tagged": "x"}, {"plain": "zzz"}])
def test_fast_select_renders_the_same_html_as_django(data):
    django_form, fast_form = Sample(data), Sample(data)
    use_fast_selects(fast_form)
    for name in Sample.base_fields:
        assert isinstance(fast_form.fields[name].widget, FastSelect)
        assert str(fast_form[name]) == str(django_form[name])


def test_required_select_keeps_its_required_attribute():
    class Required(forms.Form):
        city = forms.ChoiceField(choices=[("", "Pilih kota"), ("1", "Bandung")])

    form = Required()
    use_fast_selects(form)
    assert '<select name="city" required id="id_city">' in str(form["city"])


def test_a_checkbox_label_has_no_colon_and_other_labels_keep_theirs(client_for, owner):
    class Pet(forms.Form):
        name = forms.CharField()
        sterilised = forms.BooleanField(required=False, label="Sterilised")

    html = Pet().as_div()
    assert '<label for="id_sterilised">Sterilised</label>' in html
    assert '<label for="id_name">Name:</label>' in html
    # On a real page: the pet form's checkbox.
    page = client_for(owner).get("/pets/new/").content.decode()
    assert "Sudah disteril:</label>" not in page and 'for="id_sterilised">' in page


def test_an_empty_choice_says_choose_instead_of_dashes(client_for, owner):
    from django.utils import translation

    from adoption.models import Pet

    class PetForm(forms.ModelForm):
        class Meta:
            model = Pet
            fields = ["species", "sex"]  # a model choice and a choice field, both optional here

    with translation.override("en"):
        html = str(PetForm()["species"]) + str(PetForm()["sex"])
    assert "---------" not in html and html.count('<option value="" selected>Choose…</option>') == 2
    for path in ("/adoption/pets/new/", "/pets/new/"):  # the second's breeds are a grouped list
        page = client_for(owner).get(path).content.decode()
        assert "---------" not in page and "Pilih…</option>" in page, path
