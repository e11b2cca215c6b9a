"""Currencies: the ISO 4217 codes a workspace's ``currency`` setting accepts, and money as text.

A workspace holds money in one currency (``currency = "EUR"`` in supportmetrics.toml); every
amount shown (the summary, the reports) carries its code: ``1,234.50 EUR``, ``1,235 JPY``.
"""

from __future__ import annotations

# ISO 4217 codes in use (the standard's list one, 2025), plus HRK (replaced by EUR in 2023) for
# older data
_CODE_LIST = """
AED AFN ALL AMD ANG AOA ARS AUD AWG AZN BAM BBD BDT BGN BHD BIF BMD BND BOB BOV BRL BSD BTN BWP
BYN BZD CAD CDF CHE CHF CHW CLF CLP CNY COP COU CRC CUC CUP CVE CZK DJF DKK DOP DZD EGP ERN ETB
EUR FJD FKP GBP GEL GHS GIP GMD GNF GTQ GYD HKD HNL HRK HTG HUF IDR ILS INR IQD IRR ISK JMD JOD
JPY KES KGS KHR KMF KPW KRW KWD KYD KZT LAK LBP LKR LRD LSL LYD MAD MDL MGA MKD MMK MNT MOP MRU
MUR MVR MWK MXN MXV MYR MZN NAD NGN NIO NOK NPR NZD OMR PAB PEN PGK PHP PKR PLN PYG QAR RON RSD
RUB RWF SAR SBD SCR SDG SEK SGD SHP SLE SLL SOS SRD SSP STN SVC SYP SZL THB TJS TMT TND TOP TRY
TTD TWD TZS UAH UGX USD USN UYI UYU UYW UZS VED VES VND VUV WST XAF XAG XAU XBA XBB XBC XBD XCD
XCG XDR XOF XPD XPF XPT XSU XUA YER ZAR ZMW ZWG ZWL
"""
CODES = frozenset(_CODE_LIST.split())
# digits after the decimal point where the standard's minor unit is not 2
_DECIMALS = {
    **dict.fromkeys(("BIF", "CLP", "DJF", "GNF", "ISK", "JPY", "KMF", "KRW", "PYG", "RWF", "UGX",
                     "UYI", "VND", "VUV", "XAF", "XOF", "XPF"), 0),
    **dict.fromkeys(("BHD", "IQD", "JOD", "KWD", "LYD", "OMR", "TND"), 3),
    "CLF": 4, "UYW": 4,
}


def check_currency(code: str) -> str:
    """``code`` if it is an ISO 4217 currency code, else a ValueError saying what is expected."""
    if code not in CODES:
        hint = f" (did you mean {code.upper()!r}?)" if code.upper() in CODES else ""
        raise ValueError(f"{code!r} is not an ISO 4217 currency code such as 'EUR', 'USD' or "
                         f"'GBP'{hint}")
    return code


def decimals(currency: str | None) -> int:
    """The digits an amount in ``currency`` is shown with (2 without a currency)."""
    return 2 if currency is None else _DECIMALS.get(currency, 2)


def format_money(value: float, currency: str | None) -> str:
    """``1234.5`` -> ``1,234.50 EUR`` (the plain amount when no currency is set)."""
    text = f"{value:,.{decimals(currency)}f}"
    return text if currency is None else f"{text} {currency}"
