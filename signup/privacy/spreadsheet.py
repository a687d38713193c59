"""CSV for people who open it in a spreadsheet: every cell text, never a formula, in any locale.

Excel and LibreOffice run a cell starting with = + - @ (or a tab or CR before them) as a formula.
Which character splits cells depends on the locale (`,` in en-US, `;` in uk-UA and ru-RU), so a
value holding a separator could be cut into a new cell that starts a formula. Every cell is
quoted, which keeps a quoted separator inside its cell in every locale; and wherever a cell could
start (the beginning, or after a `;`, `,`, tab or line break, with any spaces or quotes between),
a formula character gets a `'` before it, so a reader that splits there anyway still sees text.
"""

import csv
import io
import re

# Zero-width: where a cell could start and a formula character (after optional quotes) follows.
# Spaces and quotes count as nothing in between: some importers trim or drop them.
FORMULA_START = re.compile(r"""(?:^|(?<=[;,\t\r\n]))(?=[ "]*[=+\-@\t\r])""")


def cell(value):
    """Return `value` as text that no spreadsheet runs as a formula."""
    text = "" if value is None else str(value)
    return FORMULA_START.sub("'", text)


def to_csv(header, rows):
    """Return CSV text: the header line, then each row, every cell quoted and made safe."""
    out = io.StringIO()
    writer = csv.writer(out, quoting=csv.QUOTE_ALL)
    writer.writerow(cell(name) for name in header)
    for row in rows:
        writer.writerow(cell(value) for value in row)
    return out.getvalue()
