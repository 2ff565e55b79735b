"""Quality: expectation suites on published tables (``validate``) and the quality report (``report``)."""
