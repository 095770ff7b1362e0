"""Fleet sync health for Prometheus: ``/metrics`` on ``synctel serve`` and ``synctel metrics``.

- :mod:`~insights.metrics.fleet`: the figures, read from the store through the one reader;
- :mod:`~insights.metrics.exporter`: the ``prometheus_client`` collector and the page;
- :mod:`~insights.metrics.server`: the standalone HTTP server of ``synctel metrics``.
"""
