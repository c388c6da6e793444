"""Official documents of a round as pure renderers: data in, DOCX/XLSX/CSV bytes out (Decree 30/2020).

The wording of each document lives in templates/<name>.yaml and can be overridden per department. Import each name
from its module (`data`, `letters`, `exports`, ...): this package imports nothing itself, so that a command which
reads one data class does not load python-docx and openpyxl.
"""
