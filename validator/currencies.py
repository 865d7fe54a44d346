"""ISO 4217 currency codes: the codes a multi-currency account's product prices are named by
(``hs_price_usd``, ``hs_price_eur``: fact sheet 4.3, "Price <CUR>") and the codes a number cell
may carry beside its amount (`USD 23000`, `8400.50 EUR`: HS206).

The codes in use (ISO 4217's list of current currencies and funds, with the codes withdrawn
since 2023 that exported data still carries: HRK, SLL, CUC, ANG, ZWL). Precious metals,
special drawing rights and the testing and no-currency codes (XAU, XDR, XTS, XXX, ...) are not
money an amount or a price is written in, and are left out.
"""

from __future__ import annotations

_CODES = """
AED AFN ALL AMD ANG AOA ARS AUD AWG AZN BAM BBD BDT BGN BHD BIF BMD BND BOB BOV BRL BSD BTN BWP
BYN BZD CAD CDF CHE CHF CHW CLF CLP CNY COP COU CRC CUC CUP CVE CZK DJF DKK DOP DZD EGP ERN ETB
EUR FJD FKP GBP GEL GHS GIP GMD GNF GTQ GYD HKD HNL HRK HTG HUF IDR ILS INR IQD IRR ISK JMD JOD
JPY KES KGS KHR KMF KPW KRW KWD KYD KZT LAK LBP LKR LRD LSL LYD MAD MDL MGA MKD MMK MNT MOP MRU
MUR MVR MWK MXN MXV MYR MZN NAD NGN NIO NOK NPR NZD OMR PAB PEN PGK PHP PKR PLN PYG QAR RON RSD
RUB RWF SAR SBD SCR SDG SEK SGD SHP SLE SLL SOS SRD SSP STN SVC SYP SZL THB TJS TMT TND TOP TRY
TTD TWD TZS UAH UGX USD USN UYI UYU UYW UZS VED VES VND VUV WST XAF XCD XCG XOF XPF YER ZAR ZMW
ZWG ZWL
"""
CURRENCY_CODES = frozenset(_CODES.split())

# the codes as one RE2 alternation (upper case, as ISO writes them)
CODE_PATTERN = "(?:" + "|".join(sorted(CURRENCY_CODES)) + ")"


def is_currency_code(text: str) -> bool:
    """Whether ``text`` is an ISO 4217 code of a currency, in any letter case."""
    return text.upper() in CURRENCY_CODES
