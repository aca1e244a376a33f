"""Public ids can be typed on a command line as they are: none starts with ``-``."""

from srochno.ids import new_id
from srochno.orders.service import new_order_id
from srochno.payments.service import new_payment_id
from srochno.payments.topups import new_topup_id


def test_no_id_reads_as_an_option() -> None:
    # One in 64 URL-safe tokens starts with '-': 3 x 3000 draws would meet ~140 of them.
    for make in (new_order_id, new_payment_id, new_topup_id):
        ids = [make() for _ in range(3000)]
        assert not [i for i in ids if i.startswith("-")]
        assert len(set(ids)) == len(ids)


def test_the_length_is_that_of_the_bytes() -> None:
    assert len(new_id(9)) == 12
    assert len(new_id(12)) == 16
