"""Progress analytics: pure functions from (config, snapshot, previous snapshot) to a ProgressReport.

The 汇总表, the bulletins and `minsheng status` read only the report and the config.
"""
