"""Money as people read it: whole rupiah with Indonesian thousands dots."""


def format_rupiah(amount) -> str:
    """Whole rupiah with Indonesian thousands dots: 150000 -> 'Rp 150.000'."""
    if amount is None or amount == "":
        return ""
    value = int(amount)
    sign = "-" if value < 0 else ""
    return f"{sign}Rp {abs(value):,}".replace(",", ".")
