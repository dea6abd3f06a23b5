"""Right-sizing from logs: ``python -m lambda_constructs tune FUNCTION``.

Reads a function's ``platform.report`` records (:mod:`.reports`), summarises them and recommends a
memory size and timeout with the reasoning (:mod:`.recommend`); :mod:`.cli` fetches the records through
the CloudWatch Logs API or reads an exported file.
"""

from lambda_constructs.tune.recommend import Recommendation, Summary, recommend, summarise
from lambda_constructs.tune.reports import Report, parse_file, parse_message

__all__ = ["Recommendation", "Report", "Summary", "parse_file", "parse_message", "recommend", "summarise"]
