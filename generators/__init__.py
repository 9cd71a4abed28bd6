"""Synthetic raw data for the retail lakehouse: 11 sources, controlled anomalies, exact log.

Run `python -m generators --help`. One module per source family (dimensions, orders,
events, sensors, exchange_rates, returns, changes), `anomalies` for injection and the
log, `output` for the folder and its manifests, `run` to put a batch together.
"""
