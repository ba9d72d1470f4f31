"""A socket's send queue (realtime/mailbox.py): bounded, in order, a waiting reader woken by
the next item, and a reader cancelled while waiting takes nothing."""

from __future__ import annotations

import asyncio

import pytest

from livedesk.realtime.mailbox import Mailbox

WAIT_SECS = 5.0


def test_items_come_out_in_the_order_they_went_in_up_to_the_bound() -> None:
    box: Mailbox[int] = Mailbox(3)
    for n in range(3):
        box.put_nowait(n)
    with pytest.raises(asyncio.QueueFull):
        box.put_nowait(3)
    assert [box.get_nowait() for _ in range(3)] == [0, 1, 2]
    with pytest.raises(asyncio.QueueEmpty):
        box.get_nowait()
    box.put_nowait(4)  # room again once read
    assert len(box) == 1


def test_clear_drops_what_waits() -> None:
    box: Mailbox[str] = Mailbox(2)
    box.put_nowait("a")
    box.put_nowait("b")
    box.clear()
    box.put_nowait("c")
    assert box.get_nowait() == "c"
    assert len(box) == 0


def test_a_waiting_reader_gets_the_next_item_as_soon_as_it_is_put() -> None:
    async def run() -> list[str]:
        box: Mailbox[str] = Mailbox(10)
        reader = asyncio.create_task(box.get())
        await asyncio.sleep(0)
        assert not reader.done()
        box.put_nowait("first")
        box.put_nowait("second")
        got = [await asyncio.wait_for(reader, WAIT_SECS)]
        got.append(await asyncio.wait_for(box.get(), WAIT_SECS))
        return got

    assert asyncio.run(run()) == ["first", "second"]


def test_a_reader_cancelled_while_waiting_takes_nothing_and_the_next_one_works() -> None:
    async def run() -> tuple[int, str]:
        box: Mailbox[str] = Mailbox(10)
        with pytest.raises(TimeoutError):
            async with asyncio.timeout(0.05):
                await box.get()
        box.put_nowait("kept")
        left = len(box)
        return left, await asyncio.wait_for(box.get(), WAIT_SECS)

    assert asyncio.run(run()) == (1, "kept")
