"""The production settings, served with the bench's URLs (adds /bench/bare, the reference view)."""

from hellopet.settings import *  # noqa: F403

ROOT_URLCONF = "bench_urls"
