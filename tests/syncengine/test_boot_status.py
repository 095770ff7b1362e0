"""S6: "Network or Service Unavailable" from boot until the first network check answers (the
app boots into offline mode before it detects the network's availability), over both
transports, including a device restarted with pending uploads."""

from __future__ import annotations

from syncengine.scheduler import AppState, UserSettings
from syncengine.status import NETWORK_UNAVAILABLE, DeviceState
from syncengine.transport import Call, FaultKind
from tests.syncengine.helpers import WO
from vocabulary.contract import NetworkType, SkipReason


def unavailable(device):
    status = device.status()
    return (
        status.state is DeviceState.NOT_CONNECTED
        and status.message == NETWORK_UNAVAILABLE
        and status.network_unavailable
        and not device.network_available
    )


def test_a_fresh_device_is_unavailable_until_its_first_check_answers(transport, make_device):
    device = make_device(transport)
    assert unavailable(device)
    assert device.tick().ok  # the sign-in pass checks the network first
    assert device.status().state is DeviceState.CONNECTED
    assert device.network_available


def test_a_restarted_device_with_pending_uploads_does_not_claim_to_be_online(
    transport, server, make_device
):
    device = make_device(transport)
    assert device.tick().ok
    device.edit(WO, "w1", {"start": "05:00"})
    device.close()  # killed before it could sync
    reopened = make_device(transport)
    status = reopened.status()
    assert unavailable(reopened)  # not "1 changes waiting to upload": it does not know yet
    assert status.pending_uploads == 1  # the page still counts them
    result = reopened.tick()  # nothing is due yet, but the heartbeat checks the network
    assert not result.ran
    status = reopened.status()
    assert status.state is DeviceState.PENDING_UPLOADS
    assert status.message == "1 changes waiting to upload"
    assert reopened.sync_now().ok
    assert server.get(WO, "w1").fields["start"] == "05:00"
    assert reopened.status().state is DeviceState.CONNECTED


def test_a_first_check_without_an_answer_keeps_it_unavailable(transport, faults, make_device):
    device = make_device(transport)
    faults.fail_next(FaultKind.TIMEOUT, call=Call.CHECK)
    result = device.tick()
    assert result.skipped is SkipReason.NETWORK_CHECK_TIMEOUT
    assert unavailable(device)
    assert device.tick().ok
    assert device.status().state is DeviceState.CONNECTED


def test_a_restarted_device_whose_check_gets_no_answer_stays_unavailable(
    transport, faults, make_device
):
    first = make_device(transport)
    assert first.tick().ok
    first.close()
    reopened = make_device(transport)  # the same offline database: a restart
    faults.fail_next(FaultKind.TIMEOUT, call=Call.CHECK)
    result = reopened.tick()
    assert not result.ran  # nothing was due
    assert result.skipped is None
    assert unavailable(reopened)
    reopened.tick()  # the next heartbeat asks again, and gets an answer
    assert reopened.status().state is DeviceState.CONNECTED


def test_no_check_while_offline_or_in_the_background(transport, faults, make_device):
    device = make_device(transport)
    device.set_network(NetworkType.UNAVAILABLE)
    assert device.tick().skipped is SkipReason.OFFLINE
    assert unavailable(device)
    device.set_network(NetworkType.WIFI)
    assert unavailable(device)  # a connection is not an answer from the service
    device.set_app_state(AppState.BACKGROUND)
    assert device.tick().skipped is SkipReason.INACTIVE
    assert unavailable(device)
    device.set_app_state(AppState.ACTIVE)
    assert device.tick().ok
    assert device.status().state is DeviceState.CONNECTED


def test_a_wifi_only_user_on_cellular_is_connected_once_the_check_answers(transport, make_device):
    device = make_device(transport, settings=UserSettings(wifi_only=True))
    device.set_network(NetworkType.CELL)
    assert device.tick().skipped is SkipReason.WIFI_ONLY
    # the service answered: the device is online, it just does not sync on cellular (S4)
    assert device.status().state is DeviceState.CONNECTED
