from django import forms
from django.contrib import admin, messages
from django.db.models import Count
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from common import pagecache
from common.uploads import SafeImageField

from .models import Article, Category


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "position", "article_count"]
    list_editable = ["position"]
    search_fields = ["name", "slug", "description"]
    prepopulated_fields = {"slug": ["name"]}

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(_article_count=Count("articles"))

    @admin.display(description=_("articles"), ordering="_article_count")
    def article_count(self, obj):
        return obj._article_count


class ArticleAdminForm(forms.ModelForm):
    # Checked by content, re-encoded and EXIF-free like every other upload.
    cover = SafeImageField(label=_("cover image"), required=False)

    class Meta:
        model = Article
        fields = [
            "title",
            "slug",
            "category",
            "summary",
            "body",
            "cover",
            "cover_alt",
            "status",
            "published_at",
            "author",
        ]


@admin.register(Article)
class ArticleAdmin(admin.ModelAdmin):
    form = ArticleAdminForm
    list_display = ["title", "category", "status", "published_at", "author", "updated_at"]
    list_filter = ["status", "category", "published_at", "author"]
    search_fields = ["title", "slug", "summary", "body"]
    list_select_related = ["category", "author"]
    prepopulated_fields = {"slug": ["title"]}
    autocomplete_fields = ["author"]
    date_hierarchy = "published_at"
    readonly_fields = ["created_at", "updated_at"]
    fieldsets = [
        (None, {"fields": ["title", "slug", "category", "summary", "body"]}),
        (_("Cover"), {"fields": ["cover", "cover_alt"]}),
        (_("Publication"), {"fields": ["status", "published_at", "author", "created_at", "updated_at"]}),
    ]
    actions = ["publish", "unpublish"]

    def save_model(self, request, obj, form, change):
        if obj.author_id is None:
            obj.author = request.user
        super().save_model(request, obj, form, change)

    @admin.action(description=_("Publish selected"), permissions=["change"])
    def publish(self, request, queryset):
        count = 0
        for article in queryset.exclude(status=Article.Status.PUBLISHED):
            article.status = Article.Status.PUBLISHED
            article.published_at = article.published_at or timezone.now()
            article.save(update_fields=["status", "published_at", "updated_at"])
            count += 1
        self.message_user(request, _("%(count)d published.") % {"count": count}, messages.SUCCESS)

    @admin.action(description=_("Move selected back to draft"), permissions=["change"])
    def unpublish(self, request, queryset):
        count = queryset.filter(status=Article.Status.PUBLISHED).update(status=Article.Status.DRAFT)
        pagecache.bump("articles")  # update() sends no signal
        self.message_user(request, _("%(count)d moved to draft.") % {"count": count}, messages.SUCCESS)
