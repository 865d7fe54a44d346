"""Imports written the way real tools write them (``tests/data/realistic/``), each checked
whole: a clean one gives no error and only the findings listed, each justified; one problem
planted in it is found at its row and column.

The files: a Salesforce report export in US and UK locales (UTF-8 with BOM, CRLF, every field
quoted, `3/15/2024 2:30 PM` and `15/03/2024 14:30`, phones in national forms, addresses over two
lines); Excel's "CSV UTF-8" and plain "CSV" saves (Windows-1252; a German one with `;`, `1234,5`,
`15.03.2024` and `WAHR`/`FALSCH`, whose findings are all true); a Google Sheets download (LF, no
last line break, ISO dates, `25%`); a Mailchimp audience export (every column, those not wanted
mapped `"ignored": true`) and one with merge-tag headers; a HubSpot export imported again
(Record ID, lifecycle stage labels, multi-select values, owners by email, name and id); a
companies and contacts pair associated by domain, and one by email; workbooks written by
openpyxl and by pandas ``to_excel`` (date cells, percentage cells, a ZIP code as text, phone
numbers as numbers). ``portal/`` is the account's properties, owners and deal and ticket
pipelines (a second pipeline of each, with numeric ids, as HubSpot gives custom ones).

The other objects: Pipedrive deals (value and currency code apart, pipeline and stage by label,
owners by name and email, ISO dates, the person's email and the organization's website in the
row) and a Salesforce opportunities report (pipeline and stage by internal id, owner by email,
multi-line descriptions); Zendesk tickets (status and pipeline by label, priority labels, times
with offsets, multi-line descriptions) and Freshdesk tickets (status and pipeline by id,
day-first times, source and category); calls (duration in milliseconds, direction and status by
label and by value), notes (HTML and plain bodies, an epoch-millisecond timestamp), meetings
(start and end with offsets) and tasks (due dates with and without a time), each with its
contact by email and company by domain; contacts, companies and deals in one file (a contact
and her company repeated beside each of their deals); deals linked
to exported companies by Record ID in a second file; products and line items (prices, a
product's price in euros of a multi-currency account, terms, billing frequency, discounts, the
deal's Record ID); a pandas ``to_excel`` workbook of deals
with date and currency-formatted cells.

From other countries: a French CRM export (`;`, day-first dates, a decimal comma, accented names,
`+33 1 23 45 67 89`) in UTF-8 with a BOM and in Windows-1252; a Japanese one (UTF-8, full-width
names and addresses, katakana companies, `2024/03/15` as YEAR_MONTH_DAY, an IDN domain); Brazilian
deals with their contacts (`R$ 1.234,56`, a CPF as text, `+55` mobiles); Arabic and Hebrew names
with Arabic-Indic digits in a text column only; a Chinese one saved by Excel in GBK (GB18030);
Indian numbers in their local forms (`+91 98450 12345`, `+91-22-6778-9595`, an extension); emails
whose local part is not ASCII (`josé@例え.jp`); openpyxl workbooks of the Japanese and French ones.

Lead lists and other tools' exports: Apollo.io (50 columns, `Email Status` and blank emails where it
is `Unavailable`, ISO times with `.000+00:00`, phones `+1 415-555-0132`) and ZoomInfo (every field
quoted, `(415) 555-0132 ext. 204`, revenue and employee ranges such as `$10 mil. - $25 mil.` and
`10,000+`); LinkedIn's Connections.csv as it is downloaded, with its `Notes:` lines above the header;
Shopify customers (`'+14155550132` and `'02134` with Excel's leading apostrophe, `yes`/`no`, tags
`VIP, wholesale`), Stripe customers (`cus_` ids, `Created (UTC)` as `2024-02-06 01:17`, `true`/`false`,
metadata columns); Zoho CRM leads (`zcrm_` record ids, owners by name, a secondary email), a
Dynamics 365 "Export to Excel" workbook (three hidden `(Do Not Modify)` columns and a veryHidden
sheet), Copper people, Pipedrive persons and organizations (websites as `https://www.`,
`http://x.com/` and `www.`); Outlook's contacts CSV (its 61 fixed columns, `E-mail 2 Address`,
`0/0/00` for no birthday, an address over two lines) and Google Contacts' (`E-mail 1 - Value`,
`Phone 1 - Label`, labels joined with ` ::: `, a birthday `--03-15`); Airtable (a BOM, `checked`
checkboxes, attachment links, `3/2/2024 2:11pm`), Notion (a BOM, `April 6, 2024`), Typeform
(hex Network IDs), Google Forms (`2024/03/02 9:07:13 AM GMT+1`), Eventbrite attendees (times with
`-08:00`, fees); LibreOffice Calc's CSV (`02/04/26`, `TRUE`), Excel for Mac's "CSV (Macintosh)"
(Mac Roman, lone CR line ends), a Google Sheets .xlsx download (boolean and percentage cells);
a QuickBooks customer list (`1,234.50`) and Jira issues as tickets (`02/Mar/24 9:07 AM`, two
`Labels` columns, statuses as the stages of a pipeline named after the Jira project).
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from validator import Config, validate

DATA = Path(__file__).resolve().parent / "data" / "realistic"
PORTAL = DATA / "portal"

# every finding of each clean import: (file, row, column, code); why each is right:
# HS401 a BOM (information); HS419 Excel date cells (information); HS316 the common column is
# named differently in the two files (HubSpot documents one name); HS206 `1,200` in Google
# Sheets' number column (thousands separators are undocumented); the German save: not UTF-8
# (HS402, HS403), semicolons (HS408), a decimal comma (HS206), WAHR/FALSCH for a checkbox (HS207);
# Pipedrive's probability `40` (HubSpot reads a bare number as a fraction: 4000%, HS253); a call
# with no call notes, which HubSpot's import tool requires (HS243); a task whose contact cells are
# blank in a tasks-and-contacts file (HS238); the international ones: `;` (HS408), a decimal comma or
# `R$` (HS206), date cells (HS419); a Windows-1252 or GBK save (HS402 at each cell whose bytes are not
# UTF-8, HS403), its non-ASCII headers, which HubSpot reads as UTF-8 and cannot match (HS103) and
# an email in those bytes (HS212); a local part that is not ASCII (HS246). Round two: Apollo's rows
# whose email is `Unavailable` (HS242); LinkedIn's `Notes:` lines, so HubSpot reads `Notes:` as the
# header (HS608 names them and the line of the header under them; HS101 and HS103 say once what HubSpot
# reports: the mappings do not match the header it reads); Shopify's phones with Excel's leading
# apostrophe, which HubSpot keeps (HS436, not HS215 too), and its ZIP codes `'02134` (HS436); the
# Dynamics workbook's hidden sheet (HS420: HubSpot takes one) and hidden columns (HS421), its date
# cells (HS419); Pipedrive's websites mapped to the domain (HS214); Airtable's `checked` for a
# checkbox (HS207); Notion's `April 6, 2024` and Google Forms' `GMT+1`, in no form HubSpot documents
# (HS201); the Mac Roman save (HS402, HS403) and its CR line ends (HS407); QuickBooks' `1,234.50`
# (HS206); Jira's second `Labels` column (HS104: HubSpot maps by header text)
_WHOLE = ("contacts.csv", None, None)  # a finding on the whole file
_DYNAMICS = "Active Contacts 3-20-2024 10-14-31 AM.xlsx"
_NOTION = "Contacts 3f6a1b2c9d8e4f5a8b7c6d5e4f3a2b1c.csv"
_GBK_CELLS = [(2, 2), (2, 4), (2, 6), (2, 8), (3, 1), (3, 2), (3, 3), (3, 4), (3, 6), (3, 8), (4, 2), (4, 3), (4, 4),
              (4, 6), (4, 8)]
CLEAN = {
    "salesforce-us": [("contacts.csv", 1, 1, "HS401")],
    "salesforce-uk": [("contacts.csv", 1, 1, "HS401")],
    "excel-csv-utf8": [("customers.csv", 1, 1, "HS401")],
    "excel-csv-windows": [],
    "excel-csv-german": [
        ("kunden.csv", None, None, "HS402"), ("kunden.csv", None, None, "HS403"),
        ("kunden.csv", 1, None, "HS408"), ("kunden.csv", 2, 4, "HS206"), ("kunden.csv", 2, 6, "HS207"),
        ("kunden.csv", 3, 3, "HS402"), ("kunden.csv", 3, 6, "HS207")],
    "google-sheets": [("Contacts - Sheet1.csv", 3, 6, "HS206")],
    "mailchimp": [],
    "mailchimp-merge-tags": [],
    "hubspot-reexport": [("hubspot-crm-exports-all-contacts-2024-03-20.csv", 1, 1, "HS401")],
    "companies-contacts-by-domain": [("import.json", None, None, "HS316")],
    "contacts-companies-by-email": [],
    "xlsx-openpyxl": [("contacts.xlsx", 2, 6, "HS419"), ("contacts.xlsx", 2, 7, "HS419")],
    "xlsx-pandas": [("contacts.xlsx", 2, 6, "HS419"), ("contacts.xlsx", 2, 7, "HS419")],
    "pipedrive-deals": [("deals.csv", 2, 9, "HS253"), ("deals.csv", 4, 9, "HS253"), ("deals.csv", 5, 9, "HS253")],
    "salesforce-opportunities": [("opportunities.csv", 1, 1, "HS401")],
    "zendesk-tickets": [],
    "freshdesk-tickets": [],
    "calls": [("calls.csv", 4, 3, "HS243")],
    "notes": [],
    "meetings": [],
    "tasks": [("tasks.csv", 4, 8, "HS238")],
    "contacts-companies-deals-one-file": [],
    "companies-deals-by-record-id": [("import.json", None, None, "HS316")],
    "products": [],
    "line-items": [],
    "xlsx-pandas-deals": [("deals.xlsx", 2, 5, "HS419"), ("deals.xlsx", 2, 6, "HS419")],
    "french-crm-utf8": [("contacts.csv", 1, None, "HS408"), ("contacts.csv", 1, 1, "HS401"),
                        ("contacts.csv", 3, 11, "HS206")],
    "french-crm-windows": [(*_WHOLE, "HS402"), (*_WHOLE, "HS403"), ("contacts.csv", 1, None, "HS408")] + [
        ("contacts.csv", 1, c, "HS103") for c in (2, 4, 5, 11)] + [
        ("contacts.csv", r, c, "HS402") for r, c in ((2, 2), (2, 4), (3, 2), (3, 3), (3, 4))] + [
        ("contacts.csv", 3, 11, "HS206")] + [
        ("contacts.csv", r, c, "HS402") for r, c in ((4, 2), (4, 3), (5, 2), (5, 3), (5, 4), (5, 6), (6, 2), (6, 3),
                                                     (6, 4))],
    "japanese-crm": [("contacts.csv", 1, 1, "HS401")],
    "brazilian-deals": [("negocios.csv", 1, None, "HS408"), ("negocios.csv", 1, 1, "HS401")] + [
        ("negocios.csv", r, 2, "HS206") for r in (2, 3, 4)],
    "arabic-hebrew-contacts": [],
    "chinese-excel-gbk": [(*_WHOLE, "HS402"), (*_WHOLE, "HS403")] + [
        ("contacts.csv", 1, c, "HS103") for c in range(1, 10)] + [
        ("contacts.csv", r, c, code) for r, c in _GBK_CELLS for code in (("HS212", "HS402") if (r, c) == (3, 1)
                                                                        else ("HS402",))],
    "indian-contacts": [],
    "idn-emails": [("contacts.csv", r, 1, "HS246") for r in range(2, 7)],
    "xlsx-openpyxl-japanese": [("contacts.xlsx", 2, 11, "HS419")],
    "xlsx-openpyxl-french": [("contacts.xlsx", 2, 10, "HS419")],
    "apollo-contacts": [("apollo-contacts-export.csv", r, 6, "HS242") for r in range(6, 28, 7)],
    "zoominfo-contacts": [],
    "linkedin-connections": [("Connections.csv", 1, None, code) for code in ("HS101", "HS103", "HS608")],
    "shopify-customers": sorted([("customers_export.csv", r, 13, "HS436") for r in range(2, 28, 2)] + [
        ("customers_export.csv", r, 14, "HS436") for r in range(3, 28, 4)] + [
        ("customers_export.csv", r, 12, "HS436") for r in (6, 9, 18)], key=lambda f: f[1:3]),
    "stripe-customers": [],
    "zoho-crm-leads": [],
    "dynamics365-contacts": [(_DYNAMICS, None, None, "HS420"), (_DYNAMICS, None, None, "HS421"),
                             (_DYNAMICS, 2, 1, "HS421"), (_DYNAMICS, 2, 2, "HS421"), (_DYNAMICS, 2, 3, "HS419"),
                             (_DYNAMICS, 2, 3, "HS421"), (_DYNAMICS, 2, 15, "HS419")],
    "copper-people": [],
    "pipedrive-persons": [],
    "pipedrive-organizations": [("organizations-export.csv", r, 9, "HS214")
                                for r in (2, 4, 5, 6, 8, 9, 10, 12, 13, 16, 17, 18, 20)],
    "outlook-contacts": [],
    "google-contacts": [],
    "airtable-contacts": [("Contacts-Grid view.csv", 1, 1, "HS401")] + [
        ("Contacts-Grid view.csv", r, 8, "HS207") for r in range(2, 27) if (r - 2) % 3 != 2],
    "notion-contacts": [(_NOTION, 1, 1, "HS401")] + [(_NOTION, r, 5, "HS201") for r in range(3, 20) if (r - 2) % 3],
    "typeform-responses": [],
    "google-forms-responses": [("Event sign-up (Responses).csv", r, 1, "HS201") for r in range(2, 18)],
    "eventbrite-attendees": [],
    "libreoffice-calc-csv": [],
    "excel-mac-csv": [("customers.csv", None, None, code) for code in ("HS402", "HS403", "HS407")] + [
        ("customers.csv", r, c, "HS402") for r, c in ((2, 2), (2, 3), (2, 5), (3, 2), (3, 3), (3, 5), (6, 2), (6, 3),
                                                      (8, 2), (8, 3), (8, 5), (10, 2), (10, 5), (12, 2))],
    "google-sheets-xlsx": [("Customers.xlsx", 2, 6, "HS419")],
    "quickbooks-customers": [("Customers.csv", r, 11, "HS206") for r in (3, 5, 8, 10, 13, 15)],
    "jira-tickets": [("Jira.csv", 1, 17, "HS104")],
}

# one problem planted in a clean import: (file, bytes replaced, replacement, findings added)
PLANTED = {
    "salesforce-us": ("contacts.csv", b'"3/18/2024"', b'"15/03/2024"',
                      [("contacts.csv", 1, 15, "HS204"), ("contacts.csv", 2, 15, "HS201")]),
    "salesforce-uk": ("contacts.csv", b'"31/12/2023 23:59"', b'"12/31/2023 11:59 PM"',
                      [("contacts.csv", 1, 14, "HS204"), ("contacts.csv", 4, 14, "HS201")]),
    "excel-csv-utf8": ("customers.csv", b",250,", b",#N/A,", [("customers.csv", 3, 5, "HS205")]),
    "excel-csv-windows": ("customers.csv", b"Diaz", "Díaz".encode("cp1252"),
                          [("customers.csv", None, None, "HS402"), ("customers.csv", None, None, "HS403"),
                           ("customers.csv", 4, 3, "HS402")]),
    "google-sheets": ("Contacts - Sheet1.csv", b",events,", b',"Events, Webinars",',
                      [("Contacts - Sheet1.csv", 3, 8, "HS208")]),
    "mailchimp": ("members.csv", b'"bo@globex.com"', b'"bo@globex"', [("members.csv", 3, 1, "HS212")]),
    "mailchimp-merge-tags": ("subscribed.csv", b"2023-11-02 09:05:17", b"11/02/2023 09:05",
                             [("subscribed.csv", 1, 4, "HS204"), ("subscribed.csv", 3, 4, "HS201")]),
    "hubspot-reexport": ("hubspot-crm-exports-all-contacts-2024-03-20.csv", "José García".encode(), b"Alex Kim",
                         [("hubspot-crm-exports-all-contacts-2024-03-20.csv", 4, 7, "HS236")]),
    "companies-contacts-by-domain": ("contacts.csv", b"r,beispiel-gmbh.de,", b"r,beispiel.de,",
                                     [("contacts.csv", 4, 4, "HS314")]),
    "contacts-companies-by-email": ("companies.csv", b"bo@globex.com", b"bo@globex.co",
                                    [("companies.csv", 3, 3, "HS314")]),
    "pipedrive-deals": ("deals.csv", b"Renewals,Renewal Due", b"Sales Pipeline,Renewal Due",
                        [("deals.csv", 3, 5, "HS235")]),
    "salesforce-opportunities": ("opportunities.csv", b'"14877520","30995912"', b'"14877520","renewal negotiation"',
                                 [("opportunities.csv", 3, 7, "HS210")]),
    "zendesk-tickets": ("tickets.csv", b"Low,2024", b"Normal,2024", [("tickets.csv", 4, 6, "HS208")]),
    "freshdesk-tickets": ("tickets.csv", b"05-01-2024 16:40:12", b"01-13-2024 16:40:12",
                          [("tickets.csv", 1, 9, "HS204"), ("tickets.csv", 3, 9, "HS201")]),
    "calls": ("calls.csv", b",754000,", b",00:12:34,", [("calls.csv", 2, 5, "HS205")]),
    "notes": ("notes.csv", b"1709805600000", b"1709805600", [("notes.csv", 4, 2, "HS202")]),
    "meetings": ("meetings.csv", b"2024-03-14 11:00 +01:00", b"2024-03-14 11:00 CET",
                 [("meetings.csv", 3, 4, "HS201")]),
    "tasks": ("tasks.csv", b"In progress", b"In Progress", [("tasks.csv", 3, 4, "HS210")]),
    "contacts-companies-deals-one-file": ("leads-with-deals.csv", b"IT Manager,Acme Corp,acme-corp.com",
                                          b"IT Manager,Acme Corp,https://www.acme-corp.com/",
                                          [("leads-with-deals.csv", 3, 6, "HS214")]),
    "companies-deals-by-record-id": ("deals.csv", b"2024-07-01,9876543210", b"2024-07-01,9876543219",
                                     [("deals.csv", 5, 6, "HS314")]),
    "products": ("products.csv", b"Monthly,P1M", b"Monthly,1 month", [("products.csv", 3, 8, "HS216")]),
    "line-items": ("line-items.csv", b",12,12.00,", b",12 seats,12.00,", [("line-items.csv", 4, 4, "HS205")]),
    # an ISO date in a day-first file; `Français` for the option labelled French (and not UTF-8); a
    # Japanese date written with 年月日; 31 April; a date in Arabic-Indic digits (where the notes'
    # are text); emails without a top-level domain; a letter O in an Indian mobile number
    "french-crm-utf8": ("contacts.csv", b"31/01/2025", b"2025-01-31",
                        [("contacts.csv", 1, 10, "HS204"), ("contacts.csv", 4, 10, "HS201")]),
    "french-crm-windows": ("contacts.csv", b";980;French", ";980;Français".encode("cp1252"),
                           [("contacts.csv", 4, 12, "HS208"), ("contacts.csv", 4, 12, "HS402")]),
    "japanese-crm": ("contacts.csv", b"2025/01/31", "2025年1月31日".encode(), [("contacts.csv", 4, 11, "HS201")]),
    "brazilian-deals": ("negocios.csv", b"30/04/2024", b"31/04/2024", [("negocios.csv", 3, 3, "HS201")]),
    "arabic-hebrew-contacts": ("contacts.csv", b"01/12/2024", "٠١/١٢/٢٠٢٤".encode(),
                               [("contacts.csv", 3, 9, "HS252")]),
    "chinese-excel-gbk": ("contacts.csv", b"li.na@example.com.cn", b"li.na@example", [("contacts.csv", 4, 1, "HS212")]),
    "indian-contacts": ("contacts.csv", b"+91 99999 88888", b"+91 99999 8888O",
                        [("contacts.csv", 5, 6, "HS215"), ("contacts.csv", 5, 6, "HS430")]),
    "idn-emails": ("contacts.csv", b"plain@example.com", "plain@例え".encode(), [("contacts.csv", 7, 1, "HS212")]),
    # round two: an email cut short, or holding two addresses (`; `, `, ` or Google's ` ::: `), or an
    # Exchange address in Outlook's E-mail Address; an amount with a thousands separator; a date in
    # another order or with a zone name; an owner misspelt; an employee range for a number; a
    # multi-select joined with a comma; a letter O in a phone; an option that does not exist; WAHR's
    # sibling FALSCH from German LibreOffice
    "apollo-contacts": ("apollo-contacts-export.csv", b"elena.baker@hooli.xyz", b"elena.baker@hooli",
                        [("apollo-contacts-export.csv", 4, 6, "HS212")]),
    "zoominfo-contacts": ("zoominfo-export.csv", b'"pedro.walsh@massivedynamic.com"',
                          b'"pedro.walsh@massivedynamic.com; pwalsh@massivedynamic.com"',
                          [("zoominfo-export.csv", 4, 14, "HS212")]),
    # under LinkedIn's Notes lines, a row ragged against the header the mappings name (a comma in a job title)
    "linkedin-connections": ("Connections.csv", b"Wayne Analytics,VP Sales", b"Wayne Analytics,VP, Sales",
                             [("Connections.csv", 13, 8, "HS110")]),
    "shopify-customers": ("customers_export.csv", b"D02 XY45,'+35313953314,,no,1234.50,",
                          b"D02 XY45,'+35313953314,,no,\"1,234.50\",", [("customers_export.csv", 4, 16, "HS206")]),
    "stripe-customers": ("unified_customers.csv", b"2024-02-06 01:17", b"02/06/2024 01:17",
                         [("unified_customers.csv", 1, 5, "HS204"), ("unified_customers.csv", 3, 5, "HS201")]),
    "zoho-crm-leads": ("Leads_001.csv", b'"ravi.murphy@soylentfoods.co","+1', b'"ravi.murphy@soylentfoods","+1',
                       [("Leads_001.csv", 3, 7, "HS212")]),
    "copper-people": ("people.csv", b",Raj Patel,Current Customer,41 Bay St,",
                      b",Raj Patil,Current Customer,41 Bay St,", [("people.csv", 3, 9, "HS236")]),
    "pipedrive-persons": ("people-export.csv", b",julia.petrova@massivedynamic.com,",
                          b',"julia.petrova@massivedynamic.com, julia@petrova.me",',
                          [("people-export.csv", 4, 7, "HS212")]),
    "pipedrive-organizations": ("organizations-export.csv", b"Retail,42000000,340,2,1,Hot lead",
                                b"Retail,42000000,201-500,2,1,Hot lead",
                                [("organizations-export.csv", 3, 13, "HS205")]),
    "outlook-contacts": ("contacts.CSV", b'"nikhil.patel@tyrellcorp.com"',
                         b'"/o=ExchangeLabs/ou=Exchange Administrative Group (FYDIBOHF23SPDLT)'
                         b'/cn=Recipients/cn=npatel"',
                         [("contacts.CSV", 2, 9, "HS212")]),
    "google-contacts": ("contacts.csv", b"jamal.novak@oceanic-air.com",
                        b"jamal.novak@oceanic-air.com ::: jamal@novak.family", [("contacts.csv", 3, 19, "HS212")]),
    "airtable-contacts": ("Contacts-Grid view.csv", b"Vandelay Industries,Subscriber,Product updates,",
                          b'Vandelay Industries,Subscriber,"Product updates,Webinars",',
                          [("Contacts-Grid view.csv", 4, 7, "HS208")]),
    "notion-contacts": (_NOTION, b"+1 415 510 7024", b"+1 415 51O 7024",
                        [(_NOTION, 4, 6, "HS215"), (_NOTION, 4, 6, "HS430")]),
    "typeform-responses": ("responses.csv", b"2024-03-02 10:10:17", b"02/03/2024 10:10",
                           [("responses.csv", 1, 11, "HS204"), ("responses.csv", 3, 11, "HS201")]),
    "google-forms-responses": ("Event sign-up (Responses).csv", b'"COO","Events","Trade Show"',
                               b'"COO","Events","A friend"', [("Event sign-up (Responses).csv", 3, 8, "HS208")]),
    "eventbrite-attendees": ("report-2024-03-20T1605.csv", b"2024-02-03 10:14:06-08:00", b"2024-02-03 10:14:06 PST",
                             [("report-2024-03-20T1605.csv", 4, 2, "HS201")]),
    "libreoffice-calc-csv": ("customers.csv", b"Nakatomi Trading,FALSE,03/07/25,", b"Nakatomi Trading,FALSCH,03/07/25,",
                             [("customers.csv", 4, 5, "HS207")]),
    "excel-mac-csv": ("customers.csv", b",4/10/2025,", b",2025-04-10,",
                      [("customers.csv", 1, 6, "HS204"), ("customers.csv", 5, 6, "HS201")]),
    "quickbooks-customers": ("Customers.csv", b"ravi.rao@massivedynamic.com",
                             b'"ravi.rao@massivedynamic.com, ap@massivedynamic.com"',
                             [("Customers.csv", 4, 9, "HS212")]),
    "jira-tickets": ("Jira.csv", b"IT Service Desk,High,,Raj Patel,Carla Diaz,02/Mar/24",
                     b"IT Service Desk,Highest,,Raj Patel,Carla Diaz,02/Mar/24", [("Jira.csv", 3, 8, "HS208")]),
}


def _findings(folder: Path) -> list[tuple[str | None, int | None, int | None, str]]:
    report = validate(folder / "import.json", config=Config(portal=str(PORTAL)))
    assert not report.refusals
    return [(Path(f.file).name if f.file else None, f.row, f.column, f.code) for f in report.findings]


def test_every_import_is_listed() -> None:
    assert sorted(CLEAN) == sorted(p.name for p in DATA.iterdir() if (p / "import.json").is_file())


@pytest.mark.parametrize("name", sorted(CLEAN))
def test_clean_import(name: str) -> None:
    assert _findings(DATA / name) == CLEAN[name]


@pytest.mark.parametrize("name", sorted(PLANTED))
def test_planted_problem(name: str, tmp_path: Path) -> None:
    folder = tmp_path / name
    shutil.copytree(DATA / name, folder)
    file, old, new, added = PLANTED[name]
    data = (folder / file).read_bytes()
    assert data.count(old) == 1
    (folder / file).write_bytes(data.replace(old, new))
    assert sorted(_findings(folder), key=repr) == sorted(CLEAN[name] + added, key=repr)


def test_planted_in_workbook(tmp_path: Path) -> None:
    """A ZIP code typed as a number in openpyxl's workbook: it lost its leading zero."""
    openpyxl = pytest.importorskip("openpyxl")
    folder = tmp_path / "xlsx-openpyxl"
    shutil.copytree(DATA / "xlsx-openpyxl", folder)
    book = openpyxl.load_workbook(folder / "contacts.xlsx")
    book.active["D4"] = 7302  # 07302, Jersey City
    book.save(folder / "contacts.xlsx")
    assert ("contacts.xlsx", 4, 4, "HS426") in _findings(folder)


def test_planted_in_deals_workbook(tmp_path: Path) -> None:
    """An amount typed as text with its currency symbol, in pandas' workbook of deals."""
    openpyxl = pytest.importorskip("openpyxl")
    folder = tmp_path / "xlsx-pandas-deals"
    shutil.copytree(DATA / "xlsx-pandas-deals", folder)
    book = openpyxl.load_workbook(folder / "deals.xlsx")
    book.active["D3"] = "$8,400.50"
    book.save(folder / "deals.xlsx")
    assert sorted(_findings(folder), key=repr) == sorted(CLEAN["xlsx-pandas-deals"] + [("deals.xlsx", 3, 4, "HS206")],
                                                         key=repr)


def test_planted_price_in_a_currency(tmp_path: Path) -> None:
    """A product's price in euros (`hs_price_eur`, a multi-currency account's "Price EUR") typed
    with its currency code: checked as the unit price is, HS206 at its cell."""
    folder = tmp_path / "products"
    shutil.copytree(DATA / "products", folder)
    data = (folder / "products.csv").read_bytes()
    (folder / "products.csv").write_bytes(data.replace(b",1500,1390,", b",1500,1390 EUR,"))
    assert _findings(folder) == [("products.csv", 4, 5, "HS206")]


def test_planted_other_values_for_a_repeated_record(tmp_path: Path) -> None:
    """Contacts, companies and deals in one file: Ann and Acme Corp repeat beside each of their
    deals, the file's shape, and are not reported; Acme written `ACME Corporation` in one row is
    HS329 at that cell (HubSpot keeps one company and one of its names)."""
    folder = tmp_path / "contacts-companies-deals-one-file"
    shutil.copytree(DATA / "contacts-companies-deals-one-file", folder)
    data = (folder / "leads-with-deals.csv").read_bytes()
    old = b"IT Manager,Acme Corp,"
    assert data.count(old) == 1
    (folder / "leads-with-deals.csv").write_bytes(data.replace(old, b"IT Manager,ACME Corporation,"))
    assert _findings(folder) == [("leads-with-deals.csv", 3, 5, "HS329")]


def test_excel_sep_line_in_a_windows_save(tmp_path: Path) -> None:
    """Excel's `sep=,` line above the header of its CSV save: the line named once (HS108), the
    mappings' mismatch with the header HubSpot reads once (HS101, HS103), and no row ragged."""
    folder = tmp_path / "excel-csv-windows"
    shutil.copytree(DATA / "excel-csv-windows", folder)
    data = (folder / "customers.csv").read_bytes()
    (folder / "customers.csv").write_bytes(b"sep=,\r\n" + data)
    assert _findings(folder) == [("customers.csv", 1, None, "HS101"), ("customers.csv", 1, None, "HS103"),
                                 ("customers.csv", 1, None, "HS108")]


@pytest.mark.parametrize(("name", "cell", "value", "added"), [
    # a date typed as text the Japanese way, and an amount typed as text the French way
    ("xlsx-openpyxl-japanese", "K3", "2024年12月1日", ("contacts.xlsx", 3, 11, "HS201")),
    ("xlsx-openpyxl-french", "K3", "1 234,50", ("contacts.xlsx", 3, 11, "HS206")),
])
def test_planted_in_an_international_workbook(name: str, cell: str, value: str, added: tuple, tmp_path: Path) -> None:
    openpyxl = pytest.importorskip("openpyxl")
    folder = tmp_path / name
    shutil.copytree(DATA / name, folder)
    book = openpyxl.load_workbook(folder / "contacts.xlsx")
    book.active[cell] = value
    book.save(folder / "contacts.xlsx")
    assert _findings(folder) == [*CLEAN[name], added]


def test_shopify_apostrophes_are_named_once_a_cell() -> None:
    """Shopify's `'02134` and `'+13122976451`: Excel's mark for text, which HubSpot stores with the
    value; one HS436 at each cell naming the apostrophe and the value to write, not HS215 too."""
    report = validate(DATA / "shopify-customers" / "import.json", config=Config(portal=str(PORTAL)))
    cells = {(f.row, f.column): f for f in report.findings}
    assert len(cells) == len(report.findings)
    zip_code, phone = cells[(6, 12)], cells[(2, 13)]
    assert (zip_code.code, zip_code.column_name, zip_code.severity.label) == ("HS436", "Default Address Zip", "warning")
    assert zip_code.message == ("''02134' starts with an apostrophe, which Excel writes to keep a number as text and "
                                "HubSpot stores as part of the value: write '02134'")
    assert zip_code.hint == "remove the apostrophe; to keep leading zeros, format the column as Text instead"
    assert (phone.code, phone.column_name) == ("HS436", "Default Address Phone")
    assert phone.message.endswith("write '+13122976451'")
    # with HS436 turned off, a phone after the apostrophe is HS215's, as before
    report = validate(DATA / "shopify-customers" / "import.json",
                      config=Config(portal=str(PORTAL), ignore=["HS436"]))
    assert [(f.row, f.column, f.code) for f in report.findings][:2] == [(2, 13, "HS215"), (3, 14, "HS215")]


def test_notion_and_google_forms_dates_say_why_and_what_to_write() -> None:
    """Notion's `April 6, 2024` and Google Forms' `GMT+1`: HS201 says what HubSpot does not read
    (a space and a comma between the parts; a zone where it documents an offset) and the form to
    write in the import's dateFormat."""
    notion = validate(DATA / "notion-contacts" / "import.json", config=Config(portal=str(PORTAL)))
    first = next(f for f in notion.findings if f.code == "HS201")
    assert (first.row, first.column, first.column_name) == (3, 5, "Last contacted")
    assert first.message == ("'April 6, 2024' is not a MONTH_DAY_YEAR date: HubSpot documents /, - or . between the "
                             "day, the month and the year, not spaces and a comma; write 04/06/2024")
    forms = validate(DATA / "google-forms-responses" / "import.json", config=Config(portal=str(PORTAL)))
    first = next(f for f in forms.findings if f.code == "HS201")
    assert (first.row, first.column, first.column_name) == (2, 1, "Timestamp")
    assert first.message == ("'2024/03/01 8:00:00 AM GMT+1' is not a YEAR_MONTH_DAY datetime: HubSpot documents an "
                             "offset as +hh:mm, not GMT+1; write 2024/03/01 8:00:00 AM +01:00")
