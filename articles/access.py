"""Fetch articles for a user: everyone reads published ones; staff may also preview drafts."""

from django.shortcuts import get_object_or_404

from .models import Article


def articles_visible_to(user):
    queryset = Article.objects.all()
    if not (user.is_authenticated and user.is_staff):
        queryset = queryset.published()
    return queryset


def get_article_for_user(user, slug: str) -> Article:
    return get_object_or_404(articles_visible_to(user).select_related("category", "author"), slug=slug)
