#!/usr/bin/env python
import os
import sys
from pathlib import Path


def main():
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "hellopet.settings")
    if "DEBUG" not in os.environ and not (Path(__file__).resolve().parent / ".env").is_file():
        # manage.py is the developer's tool: with nothing configured it runs like `make run`.
        # Servers (wsgi.py / asgi.py) keep the strict default, and production sets DEBUG=False.
        os.environ["DEBUG"] = "True"
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
