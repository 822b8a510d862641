"""Authorisation cases of reports: company roles list and download; the `reports` roles generate.

Generation cases send a bad period or format, so the matrix checks who may ask without building a pack.
"""

from web.matrix import COMPANY, Case, only

MAKERS = ("admin", "director", "manager")  # the `reports` permission

CASES = [
    Case("GET", "/reports", "/reports", only(COMPANY)),
    Case("GET", "/api/v1/reports", "/api/v1/reports", only(COMPANY)),
    Case("POST", "/api/v1/reports/board", "/api/v1/reports/board", only(MAKERS, 400), json={"period": "last year"}),
    Case("POST", "/api/v1/reports/accounts/{account_id}", "/api/v1/reports/accounts/A1", only(MAKERS, 400),
         json={"formats": ["docx"]}),
    Case("POST", "/reports/board", "/reports/board", only(MAKERS, 400), data={"period": "last year"}),
    Case("POST", "/reports/accounts", "/reports/accounts", only(MAKERS, 400),
         data={"account_id": "A1", "formats": "docx"}),
    Case("POST", "/reports/accounts/{account_id}", "/reports/accounts/A1", only(MAKERS, 400),
         data={"formats": "docx"}),
    Case("GET", "/reports/files/{name}", "/reports/files/board-1999Q1.pdf", only(COMPANY, 404)),
]
