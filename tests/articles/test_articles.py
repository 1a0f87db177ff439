import datetime

import pytest
from django.utils import timezone

from articles import demo
from articles.models import Article
from articles.rendering import render_markdown
from tests.articles.factories import ArticleFactory, CategoryFactory
from tests.factories import image_file

pytestmark = pytest.mark.django_db


def test_markdown_is_rendered_and_sanitised():
    html = render_markdown(
        "## Judul\n\n**tebal** [tautan](https://example.test) <script>alert(1)</script>"
        ' <a href="javascript:alert(1)">x</a> <img src="x" onerror="alert(1)"> <iframe src="https://e"></iframe>'
    )
    assert "<h2>Judul</h2>" in html
    assert "<strong>tebal</strong>" in html
    assert 'href="https://example.test"' in html and 'rel="noopener noreferrer nofollow"' in html
    assert (
        "<script" not in html
        and "javascript:" not in html
        and "onerror" not in html
        and "<iframe" not in html
    )


def test_body_html_is_kept_in_step_with_body():
    article = ArticleFactory(body="*satu*")
    assert "<em>satu</em>" in article.body_html
    article.body = "**dua**"
    article.save(update_fields=["body"])
    article.refresh_from_db()
    assert "<strong>dua</strong>" in article.body_html


def test_publishing_sets_the_time_once():
    article = ArticleFactory(status=Article.Status.DRAFT, published_at=None)
    assert article.published_at is None
    article.status = Article.Status.PUBLISHED
    article.save()
    assert article.published_at is not None


def test_list_shows_only_published_articles(client):
    ArticleFactory(title="Terbit")
    ArticleFactory(title="Konsep", status=Article.Status.DRAFT, published_at=None)
    ArticleFactory(title="Terjadwal", published_at=timezone.now() + datetime.timedelta(days=2))
    html = client.get("/articles/").content.decode()
    assert "Terbit" in html
    assert "Konsep" not in html and "Terjadwal" not in html


def test_category_filter_and_search(client):
    health = CategoryFactory(slug="kesehatan", name="Kesehatan")
    food = CategoryFactory(slug="nutrisi", name="Nutrisi")
    ArticleFactory(title="Vaksin anjing", category=health, body="rabies dan parvovirus")
    ArticleFactory(title="Makanan kucing", category=food, body="hindari bawang")
    html = client.get("/articles/?category=kesehatan").content.decode()
    assert "Vaksin anjing" in html and "Makanan kucing" not in html
    html = client.get("/articles/?q=bawang").content.decode()
    assert "Makanan kucing" in html and "Vaksin anjing" not in html
    html = client.get("/articles/?q=parvovirus&category=nutrisi").content.decode()
    assert "Vaksin anjing" not in html and "Makanan kucing" not in html


def test_unknown_category_shows_nothing_and_says_so(client):
    ArticleFactory(title="Vaksin anjing")
    response = client.get("/articles/?category=tidak-ada")
    assert response.status_code == 200
    html = response.content.decode()
    assert "Vaksin anjing" not in html


def test_list_runs_constant_queries(client, django_assert_num_queries):
    ArticleFactory.create_batch(2)
    # the next scheduled publication, count, page, categories (all but the page then remembered)
    with django_assert_num_queries(4) as two:
        client.get("/articles/")
    ArticleFactory.create_batch(8)
    with django_assert_num_queries(len(two.captured_queries)):
        response = client.get("/articles/")
    assert response.content.decode().count('article-card"') == 10


def test_a_scheduled_article_is_counted_once_its_time_comes(client, settings, monkeypatch):
    """Counts and categories are remembered until an article changes; a scheduled one going live
    changes no row, so the list works them out again when the clock passes its time."""
    settings.PAGE_CACHE_SECONDS = 0  # no stored page: the remembered values alone
    category = CategoryFactory(name="Gizi")
    ArticleFactory(title="Sehat satu", body="sehat")
    soon = timezone.now() + datetime.timedelta(minutes=5)
    ArticleFactory(title="Sehat dua", body="sehat", category=category, published_at=soon)
    response = client.get("/articles/?q=sehat")
    html = response.content.decode()
    assert "Sehat satu" in html and "Sehat dua" not in html and "Gizi (" not in html
    assert response.context["page"].paginator.count == 1

    later = soon + datetime.timedelta(seconds=1)
    monkeypatch.setattr(timezone, "now", lambda: later)
    response = client.get("/articles/?q=sehat")
    html = response.content.decode()
    assert "Sehat dua" in html and "Gizi (1)" in html
    assert response.context["page"].paginator.count == 2


def test_detail_shows_body_and_related_articles(client):
    category = CategoryFactory()
    article = ArticleFactory(title="Utama", category=category, body="## Bagian\n\nIsi")
    ArticleFactory(title="Sekategori", category=category)
    ArticleFactory(title="Lainnya")
    ArticleFactory(title="Konsep lain", category=category, status=Article.Status.DRAFT, published_at=None)
    response = client.get(f"/articles/{article.slug}/")
    html = response.content.decode()
    assert response.status_code == 200
    assert "<h2>Bagian</h2>" in html
    assert html.index("Sekategori") < html.index("Lainnya")  # same category first
    assert "Konsep lain" not in html


@pytest.mark.parametrize("persona", [None, "owner", "vet"])
def test_drafts_are_404_for_non_staff(request, persona, client_for):
    user = request.getfixturevalue(persona) if persona else None
    draft = ArticleFactory(status=Article.Status.DRAFT, published_at=None)
    assert client_for(user).get(f"/articles/{draft.slug}/").status_code == 404


def test_staff_can_preview_a_draft(staff, client_for):
    draft = ArticleFactory(status=Article.Status.DRAFT, published_at=None)
    response = client_for(staff).get(f"/articles/{draft.slug}/")
    assert response.status_code == 200
    assert "article-draft-note" in response.content.decode()


def test_unknown_article_is_404(client):
    assert client.get("/articles/tidak-ada/").status_code == 404


def test_admin_publish_and_unpublish_actions(staff, client_for):
    draft = ArticleFactory(status=Article.Status.DRAFT, published_at=None)
    client = client_for(staff)
    client.post("/admin/articles/article/", {"action": "publish", "_selected_action": [draft.pk]})
    draft.refresh_from_db()
    assert draft.status == Article.Status.PUBLISHED and draft.published_at is not None
    client.post("/admin/articles/article/", {"action": "unpublish", "_selected_action": [draft.pk]})
    draft.refresh_from_db()
    assert draft.status == Article.Status.DRAFT


def test_admin_add_article_with_cover_sets_author(staff, client_for):
    category = CategoryFactory()
    client = client_for(staff)
    response = client.post(
        "/admin/articles/article/add/",
        {
            "title": "Baru",
            "slug": "baru",
            "category": category.pk,
            "summary": "Ringkas",
            "body": "Isi",
            "cover": image_file("sampul.jpg"),
            "cover_alt": "Sampul",
            "status": "published",
            "published_at_0": "",
            "published_at_1": "",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    article = Article.objects.get(slug="baru")
    assert article.author == staff
    assert article.cover.name.startswith("articles/") and article.cover.name.endswith(".jpg")
    assert article.published_at is not None


def test_admin_rejects_a_fake_image(staff, client_for):
    from django.core.files.uploadedfile import SimpleUploadedFile

    category = CategoryFactory()
    response = client_for(staff).post(
        "/admin/articles/article/add/",
        {
            "title": "Palsu",
            "slug": "palsu",
            "category": category.pk,
            "summary": "Ringkas",
            "body": "Isi",
            "cover": SimpleUploadedFile("x.jpg", b"not an image"),
            "status": "draft",
        },
    )
    assert response.status_code == 200
    assert not Article.objects.filter(slug="palsu").exists()


def test_admin_pages_load(staff, client_for):
    ArticleFactory()
    client = client_for(staff)
    assert client.get("/admin/articles/article/?q=Artikel&status__exact=published").status_code == 200
    assert client.get("/admin/articles/category/").status_code == 200


def test_demo_seed_is_idempotent_and_draws_covers():
    demo.seed()
    demo.seed()
    assert Article.objects.count() == len(demo.ARTICLES) >= 5
    article = Article.objects.get(slug="jadwal-vaksinasi-anjing-dan-kucing")
    assert article.cover and article.is_published
    assert "rabies" in article.body_html.lower()
    for a in Article.objects.all():
        assert "mg" not in a.body.split()  # no dosages in demo content
