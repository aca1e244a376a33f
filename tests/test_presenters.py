"""The presenters' typed dicts carry exactly the fields their response models document,
and the account holds exactly the user columns it is built from."""

from __future__ import annotations

import pytest
from pydantic import BaseModel

from srochno.orders import presenter as orders
from srochno.orders.client import ClientView
from srochno.orders.schemas import (
    OrderClientOut,
    OrderOut,
    TakenOrder,
    TakeOut,
    TakeResult,
    TakerOut,
)
from srochno.users import presenter as users
from srochno.users.account import FIELDS
from srochno.users.repository import USER_COLUMNS
from srochno.users.schemas import Profile, PublicProfile


@pytest.mark.parametrize(
    ("view", "model"),
    [
        (orders.OrderView, OrderOut),
        (orders.TakeView, TakeOut),
        (orders.TakenOrderView, TakenOrder),
        (orders.TakeResultView, TakeResult),
        (orders.TakerView, TakerOut),
        (ClientView, OrderClientOut),
        (users.PublicProfileView, PublicProfile),
        (users.ProfileView, Profile),
    ],
    ids=lambda value: value.__name__,
)
def test_a_view_has_the_fields_of_its_response_model(view: type, model: type[BaseModel]):
    keys = view.__required_keys__ | view.__optional_keys__  # type: ignore[attr-defined]
    assert sorted(keys) == sorted(model.model_fields)


def test_an_account_holds_the_user_columns_in_their_order():
    assert tuple(column.strip() for column in USER_COLUMNS.split(",")) == FIELDS
