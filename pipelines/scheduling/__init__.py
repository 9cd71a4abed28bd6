"""The scheduled (daily) run: the next batch of days through every layer, with its log, its data-quality
verdict and an alert when it fails (pipelines/scheduled_run.py is its command line)."""
