"""The offline-first sync engine: profile, server, device client, scheduler, transports.

Entry points: ``syncengine.server.SyncServer``, ``syncengine.device.DeviceClient``,
``syncengine.transport.InProcessTransport`` / ``syncengine.http.HttpTransport``,
``syncengine.clock.ManualClock`` and ``syncengine.fleet.run_fleet``.
"""
