"""Who a per-IP limit counts: an IPv6 client by its /64, whatever address of it it uses."""

from __future__ import annotations

import ipaddress

from hypothesis import assume, given
from hypothesis import strategies as st

from srochno.ratelimit import client_key

v6 = st.ip_addresses(v=6).filter(lambda a: a.ipv4_mapped is None)
v4 = st.ip_addresses(v=4)


@given(v6, st.integers(min_value=0, max_value=2**64 - 1))
def test_every_address_of_a_64_counts_as_one(address, host_part) -> None:
    network = ipaddress.IPv6Network((address, 64), strict=False)
    other = network.network_address + host_part
    assume(other.ipv4_mapped is None)  # ::ffff:0:0/96 is IPv4, inside ::/64
    assert client_key(str(address)) == client_key(str(other))
    assert client_key(other.exploded.upper()) == client_key(str(address))


@given(v6, v6)
def test_two_64s_count_apart(a, b) -> None:
    same = ipaddress.IPv6Network((a, 64), strict=False) == ipaddress.IPv6Network(
        (b, 64), strict=False
    )
    assert (client_key(str(a)) == client_key(str(b))) == same


@given(v4)
def test_ipv4_as_it_is_and_mapped_into_ipv6_alike(address) -> None:
    assert client_key(str(address)) == str(address)
    assert client_key(f"::ffff:{address}") == str(address)


def test_what_is_not_an_address_stays_itself() -> None:
    assert client_key("unknown") == "unknown"
    assert client_key("not:an:address") == "not:an:address"
