from payments.checks import midtrans_configuration


def ids(settings):
    return [m.id for m in midtrans_configuration(None)]


def test_simulator_in_production_is_reported(settings):
    settings.DEBUG, settings.TESTING, settings.PAYMENT_SIMULATOR = False, False, True
    assert ids(settings) == ["payments.I001"]


def test_server_key_without_client_key_fails_loudly(settings):
    settings.MIDTRANS_SERVER_KEY, settings.MIDTRANS_CLIENT_KEY, settings.PAYMENT_SIMULATOR = (
        "SB-Mid-server-x",
        "",
        False,
    )
    assert "payments.E001" in ids(settings)


def test_sandbox_key_in_production_fails_loudly(settings):
    settings.MIDTRANS_SERVER_KEY, settings.MIDTRANS_CLIENT_KEY = "SB-Mid-server-x", "SB-Mid-client-x"
    settings.MIDTRANS_IS_PRODUCTION, settings.PAYMENT_SIMULATOR = True, False
    assert ids(settings) == ["payments.E002"]


def test_good_configuration_is_quiet(settings):
    settings.MIDTRANS_SERVER_KEY, settings.MIDTRANS_CLIENT_KEY = "Mid-server-x", "Mid-client-x"
    settings.MIDTRANS_IS_PRODUCTION, settings.PAYMENT_SIMULATOR = True, False
    assert ids(settings) == []
