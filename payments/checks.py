from django.conf import settings
from django.core import checks


@checks.register(checks.Tags.security)
def midtrans_configuration(app_configs, **kwargs):
    messages = []
    if settings.PAYMENT_SIMULATOR and not settings.DEBUG:
        if settings.PAYMENT_SIMULATOR_OPT_IN:
            # A keyless demo deployment is legitimate when asked for by name; the banner says so.
            messages.append(
                checks.Info(
                    "PAYMENT_SIMULATOR=true: payments go through the built-in simulator, where anyone "
                    "holding a payment link can mark it paid.",
                    id="payments.I001",
                )
            )
        else:
            messages.append(
                checks.Error(
                    "No MIDTRANS_SERVER_KEY with DEBUG=False: payments would go through the built-in "
                    "simulator, where anyone holding a payment link can mark it paid.",
                    hint="Set MIDTRANS_SERVER_KEY and MIDTRANS_CLIENT_KEY for real payments, or "
                    "PAYMENT_SIMULATOR=true for a demo deployment that takes no real money.",
                    id="payments.E003",
                )
            )
    if settings.MIDTRANS_SERVER_KEY and not settings.MIDTRANS_CLIENT_KEY:
        messages.append(
            checks.Error(
                "MIDTRANS_SERVER_KEY is set but MIDTRANS_CLIENT_KEY is not: Snap.js cannot open.",
                id="payments.E001",
            )
        )
    if settings.MIDTRANS_IS_PRODUCTION and settings.MIDTRANS_SERVER_KEY.startswith("SB-"):
        messages.append(
            checks.Error(
                "MIDTRANS_IS_PRODUCTION=true with a sandbox server key (SB-...).",
                id="payments.E002",
            )
        )
    return messages
