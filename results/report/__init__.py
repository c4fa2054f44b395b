"""One self-contained HTML report of results: assumptions, summary, sensitivity, provenance.

Pure functions turn result datasets into XHTML-compatible markup (every element
closed, every text escaped), so the file parses as XML as well as HTML. Figures
come from :mod:`results.plots`, rendered to PNG in memory and embedded as base64
``data:`` URIs; the style sheet is inline. Nothing refers to the network, so the
file opens offline and can be mailed as it is.

Modules
-------
result
    The results a report is made of (:class:`Result`) and the scenario names they carry.
markup
    The style sheet, escaped tags, tables, notes, sections and embedded figures.
scenario, run, compare, sobol, tornado
    One section each: scenario and assumptions, Monte Carlo summary, scenario
    comparison, Sobol ranking, tornado.
reproduce
    The ``tco`` command that makes each result again, and the provenance section.
document
    The whole document from its sections, and writing it to a file.
"""

from results.report.document import build_report, write_report
from results.report.markup import figure_data_uri
from results.report.reproduce import reproduce_command
from results.report.result import REPORTED_KINDS, Result, as_results

__all__ = [
    "REPORTED_KINDS",
    "Result",
    "as_results",
    "build_report",
    "figure_data_uri",
    "reproduce_command",
    "write_report",
]
