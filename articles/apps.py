from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ArticlesConfig(AppConfig):
    name = "articles"
    verbose_name = _("Articles")

    def ready(self):
        from common.pagecache import invalidate_on_change
        from common.private_files import delete_files_with_rows

        from .models import Article, Category

        delete_files_with_rows(Article, "cover")
        invalidate_on_change("articles", Article, Category)
