#!/usr/bin/env python3
"""Regenerate the made-up sample CSV files used by leadfunnel.

Writes, next to this script:
  hubspot-contacts.csv   one-file HubSpot-style contacts export (300 leads)
  leads.csv, deals.csv   two-file example: leads plus the deals made from them

Everything is invented. Names are random picks from short lists, e-mail
addresses use only example.com / example.org / example.net. The output is
deterministic: the random generators use fixed seeds, so running the script
again gives byte-identical files. Standard library only.

Usage:  python3 make_sample_data.py
"""

import csv
import os
import random
import unicodedata
from datetime import datetime, timedelta

HERE = os.path.dirname(os.path.abspath(__file__))

# Fixed seeds: same seeds, same files.
HS_SEED = 20260358
TWO_FILE_SEED = 424242

# Nothing in any file may be later than this (the pretend export moment).
AS_OF = datetime(2026, 10, 31, 12, 0)

# ---------------------------------------------------------------------------
# Shared name material
# ---------------------------------------------------------------------------

FIRST_NAMES = [
    "Olivia", "Mateo", "Aisha", "Connor", "Mei", "Diego", "Fatima", "Lukas",
    "Sofia", "Kwame", "Hannah", "Rohan", "Chloe", "Tomasz", "Isabela", "Jamal",
    "Ingrid", "Hiroshi", "Nadia", "Patrick", "Leila", "Samuel", "Yuki",
    "Gabriel", "Amara", "Erik", "Camila", "Dmitri", "Zoë", "André", "Keiko",
    "Marco", "Elena", "Tariq", "Grace", "Felipe", "Anika", "Owen", "Bianca",
    "Ravi", "Sinéad", "Victor", "Lucía", "Emeka", "Clara", "Jonah", "Mariana",
    "Stefan", "Priscilla", "Noah", "Ayumi", "Hugo", "Daniela", "Kofi", "Laura",
    "Rahul", "Freya", "Omar", "Beatriz", "Callum", "Inês", "Wei", "Margot",
    "Tobias", "Alejandra", "Declan", "Sana", "Pedro", "Holly", "Arjun",
    "Renata", "Malik", "Greta", "Luca", "Esther", "Kenji", "Paula", "Idris",
    "Maren", "Caleb", "Lina", "Mateus", "Sienna", "Bilal", "Joanna", "Henrik",
    "Valentina", "Theo", "Adaeze", "Nils", "Carmen", "Reza", "Elise", "Darius",
    "Mira", "Julian", "Thandiwe", "Rosa", "Samir", "Søren", "José", "Agnieszka",
    "Brendan", "Yasmin", "Chidi", "Harriet", "Ivan", "Leonie", "Rui", "Tessa",
]

LAST_NAMES = [
    "Whitaker", "Fernandes", "Okafor", "Lindqvist", "Brennan", "Tanaka",
    "Moreau", "Castillo", "Haddad", "Kowalski", "Nguyen", "Abernathy", "Ruiz",
    "Schmidt", "Delgado", "Osei", "Petrov", "McAllister", "Iyer", "Rocha",
    "Bauer", "Gallagher", "Mensah", "Sato", "Duarte", "Hughes", "Vasquez",
    "Andersen", "Chandra", "Barros", "Keller", "O'Neill", "Romero", "Adeyemi",
    "Falk", "Pereira", "Kim", "Lombardi", "Coleman", "Jansen", "Hassan",
    "Ortega", "Fitzgerald", "Lund", "Carvalho", "Zhang", "Murphy", "Rinaldi",
    "Navarro", "Eze", "Holm", "Singh", "Bertrand", "Ramos", "Kaur", "Dubois",
    "Yılmaz", "Price", "Moretti", "Achterberg", "Salazar", "Wong", "Reyes",
    "Horvat", "Thornton", "Nakamura", "Santos", "Vogel", "Ibrahim", "Larsen",
    "Mendes", "Quinn", "Ferrari", "Cruz", "Young", "Pham", "Walsh", "Rosen",
    "Medina", "Hale", "Brandt", "Müller", "Gonçalves", "Nowak", "Byrne",
    "Choi", "Aguilar", "Lachance", "Van der Berg", "Sharma", "Ekström",
    "Okonkwo", "Park", "Silva", "Dufresne", "Hartmann", "Costa", "Greene",
]

EMAIL_DOMAINS = ["example.com"] * 6 + ["example.org"] * 2 + ["example.net"] * 2


def ascii_slug(text):
    """Lower-case ASCII version of a name part, for building e-mail addresses."""
    text = text.replace("ı", "i").replace("ø", "o").replace("Ø", "O")
    norm = unicodedata.normalize("NFKD", text)
    out = "".join(c for c in norm if c.isascii() and (c.isalnum()))
    return out.lower()


def make_email(rng, first, last, used):
    f, l = ascii_slug(first), ascii_slug(last)
    pattern = rng.choices(
        ["first.last", "flast", "firstl", "first_last", "first", "last.first",
         "first.last+n", "firstlast"],
        weights=[34, 16, 8, 6, 5, 5, 6, 8],
    )[0]
    if pattern == "first.last":
        local = f"{f}.{l}"
    elif pattern == "flast":
        local = f"{f[0]}{l}"
    elif pattern == "firstl":
        local = f"{f}{l[0]}"
    elif pattern == "first_last":
        local = f"{f}_{l}"
    elif pattern == "first":
        local = f
    elif pattern == "last.first":
        local = f"{l}.{f}"
    elif pattern == "first.last+n":
        local = f"{f}.{l}{rng.randint(2, 99)}"
    else:
        local = f"{f}{l}"
    domain = rng.choice(EMAIL_DOMAINS)
    email = f"{local}@{domain}"
    n = 2
    while email in used:
        email = f"{local}{n}@{domain}"
        n += 1
    used.add(email)
    return email


def pick_name(rng, used_pairs):
    while True:
        pair = (rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES))
        if pair not in used_pairs:
            used_pairs.add(pair)
            return pair


def weighted_days(rng, start, end, k, month_weight):
    """Pick k calendar days in [start, end], weighted by month and weekday."""
    days, weights = [], []
    d = start
    while d <= end:
        w = month_weight.get(d.month, 1.0)
        if d.weekday() >= 5:
            w *= 0.3
        days.append(d)
        weights.append(w)
        d += timedelta(days=1)
    return rng.choices(days, weights=weights, k=k)


def daytime(rng, day, business=False):
    """A plausible time of day on the given date."""
    if business:
        hour = rng.choices(range(8, 18), weights=[5, 9, 10, 9, 6, 7, 9, 8, 6, 4])[0]
    else:
        hours = list(range(0, 24))
        w = [1, 1, 1, 1, 1, 2, 3, 6, 10, 12, 12, 11, 9, 10, 11, 11, 9, 7, 5, 5, 5, 4, 3, 2]
        hour = rng.choices(hours, weights=w)[0]
    return datetime(day.year, day.month, day.day, hour, rng.randint(0, 59))


def next_business_morning(rng, dt):
    d = dt.date()
    if dt.hour >= 8 and dt.weekday() < 5:
        d += timedelta(days=1)
    while d.weekday() >= 5:
        d += timedelta(days=1)
    return datetime(d.year, d.month, d.day, rng.choice([8, 8, 9, 9, 9, 10]), rng.randint(0, 59))


def in_business_hours(dt):
    return dt.weekday() < 5 and 8 <= dt.hour < 18


def fix_ny_gap(dt):
    """Local New York times 02:00-02:59 on 2026-03-08 do not exist; nudge them."""
    if dt.date() == datetime(2026, 3, 8).date() and dt.hour == 2:
        return dt + timedelta(hours=1)
    return dt


# ---------------------------------------------------------------------------
# 1. HubSpot contacts export
# ---------------------------------------------------------------------------

HS_REPS = ["Ana Souza", "Ben Carter", "Priya Raman", "Marcus Oyelaran", "Julia Novak"]
HS_REP_WEIGHTS = [24, 22, 20, 18, 16]

HS_SOURCES = ["Organic Search", "Paid Search", "Paid Social", "Email Marketing",
              "Referrals", "Direct Traffic", "Offline Sources"]
HS_SOURCE_WEIGHTS = [29, 21, 13, 12, 9, 10, 6]

MONTH_ABBR = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"]

# How likely a lead from each source is to become an MQL.
MQL_RATE = {"Organic Search": 0.58, "Paid Search": 0.66, "Paid Social": 0.52,
            "Email Marketing": 0.66, "Referrals": 0.72, "Direct Traffic": 0.5,
            "Offline Sources": 0.62, "": 0.45}

HS_HEADER = [
    "Record ID", "First Name", "Last Name", "Email", "Create Date",
    "Lifecycle Stage", "Lead Status", "Original Source",
    "Original Source Drill-Down 1", "Contact owner",
    "Became a Marketing Qualified Lead Date", "Owner Assigned Date",
    "Date of first engagement", "Became a Sales Qualified Lead Date",
    "Became an Opportunity Date", "Became a Customer Date", "Notes",
]

STAGE_KEYS = ["mql", "handoff", "touch", "sql", "opp", "won"]


def hs_campaign(rng, source, created):
    m = created.month
    q = (m - 1) // 3 + 1
    if source == "Organic Search":
        return rng.choices(["", "blog-seo", "pricing-page-seo", "comparison-pages"],
                           weights=[45, 30, 15, 10])[0]
    if source == "Paid Search":
        return rng.choices(["google-ads-brand", "google-ads-competitor", "bing-ads-generic", ""],
                           weights=[50, 28, 14, 8])[0]
    if source == "Paid Social":
        opts = [f"linkedin-abm-q{q}", "meta-retargeting", ""]
        return rng.choices(opts, weights=[60, 30, 10])[0]
    if source == "Email Marketing":
        opts = [f"newsletter-{MONTH_ABBR[m - 1]}"]
        w = [55]
        if 3 <= m <= 5:
            opts.append("spring-webinar"); w.append(35)
        if m == 6:
            opts.append("product-launch-june"); w.append(35)
        if m >= 9:
            opts.append("fall-webinar"); w.append(35)
        opts.append(""); w.append(8)
        return rng.choices(opts, weights=w)[0]
    if source == "Referrals":
        return rng.choices(["partner-portal", "customer-referral", "g2-reviews", ""],
                           weights=[40, 30, 20, 10])[0]
    if source == "Direct Traffic":
        return rng.choices(["", "qr-brochure"], weights=[85, 15])[0]
    if source == "Offline Sources":
        opts, w = ["sales-prospecting", ""], [45, 10]
        if m in (4, 5):
            opts.append("saas-connect-expo"); w.append(60)
        if m in (9, 10):
            opts.append("revops-summit-boston"); w.append(60)
        return rng.choices(opts, weights=w)[0]
    return ""


def hs_funnel(rng, row):
    """Fill in stage dates for one lead. Each stage can only follow the previous."""
    created = row["created"]
    src = row["source"]
    d = {k: None for k in STAGE_KEYS}

    if rng.random() >= MQL_RATE[src]:
        return d
    # MQL: a few hours up to ~10 days after creation
    bucket = rng.choices([0, 1, 2], weights=[40, 35, 25])[0]
    if bucket == 0:
        gap = timedelta(minutes=rng.randint(35, 12 * 60))
    elif bucket == 1:
        gap = timedelta(minutes=rng.randint(12 * 60, 3 * 24 * 60))
    else:
        gap = timedelta(minutes=rng.randint(3 * 24 * 60, 10 * 24 * 60 - 90))
    d["mql"] = created + gap

    if rng.random() >= 0.70:
        return d
    # Hand-off: minutes to two days after MQL (routing workflow or manual)
    bucket = rng.choices([0, 1, 2], weights=[50, 30, 20])[0]
    if bucket == 0:
        gap = timedelta(minutes=rng.randint(2, 90))
    elif bucket == 1:
        gap = timedelta(minutes=rng.randint(90, 12 * 60))
    else:
        gap = timedelta(minutes=rng.randint(12 * 60, 47 * 60))
    d["handoff"] = d["mql"] + gap

    if rng.random() >= 0.60:
        return d
    # First sales touch: 10 minutes to 3 days after hand-off, inside working hours
    bucket = rng.choices([0, 1, 2], weights=[45, 30, 25])[0]
    if bucket == 0:
        gap = timedelta(minutes=rng.randint(10, 90))
    elif bucket == 1:
        gap = timedelta(minutes=rng.randint(90, 8 * 60))
    else:
        gap = timedelta(minutes=rng.randint(8 * 60, 3 * 24 * 60 - 60))
    touch = d["handoff"] + gap
    if not in_business_hours(touch):
        touch = next_business_morning(rng, touch)
    if touch - d["handoff"] > timedelta(days=3) or touch - d["handoff"] < timedelta(minutes=10):
        touch = d["handoff"] + timedelta(minutes=rng.randint(12, 70))
    d["touch"] = touch

    if rng.random() >= 0.71:
        return d
    # Sales qualified ("prospect"): same day up to 10 days after the first touch
    days = rng.choices(range(0, 11), weights=[14, 12, 11, 10, 9, 8, 8, 7, 7, 6, 5])[0]
    if days == 0:
        sql = touch + timedelta(minutes=rng.randint(20, 6 * 60))
    else:
        day = (touch + timedelta(days=days)).date()
        while day.weekday() >= 5:
            day -= timedelta(days=1)
        sql = daytime(rng, day, business=True)
        if sql <= touch:
            sql = touch + timedelta(minutes=rng.randint(30, 240))
        while sql - touch > timedelta(days=10) or sql.weekday() >= 5:
            sql -= timedelta(days=1)
    d["sql"] = sql

    if rng.random() >= 0.52:
        return d
    day = (sql + timedelta(days=rng.randint(1, 21))).date()
    while day.weekday() >= 5:
        day += timedelta(days=1)
    d["opp"] = daytime(rng, day, business=True)

    if rng.random() >= 0.36:
        return d
    day = (d["opp"] + timedelta(days=rng.randint(7, 45))).date()
    while day.weekday() >= 5:
        day += timedelta(days=1)
    d["won"] = daytime(rng, day, business=True)
    return d


def cap_stages(d):
    """Drop any stage (and everything after it) that would land after AS_OF."""
    cut = False
    for k in STAGE_KEYS:
        if d[k] is not None and (cut or d[k] > AS_OF):
            d[k] = None
            cut = True
    return d


def furthest(d):
    for k, label in (("won", "Customer"), ("opp", "Opportunity"),
                     ("sql", "Sales Qualified Lead"), ("mql", "Marketing Qualified Lead")):
        if d[k] is not None:
            return label
    if d["handoff"] is not None:  # only the skipped-MQL rows can get here
        return "Sales Qualified Lead"
    return "Lead"


def lead_status(rng, d, created):
    if d["sql"] is not None or d["opp"] is not None or d["won"] is not None:
        if d["won"] is not None:
            return "Connected"
        return rng.choices(["In Progress", "Connected"], weights=[60, 40])[0]
    if d["touch"] is not None:
        return rng.choices(["Connected", "In Progress", "Unqualified", "Bad Timing"],
                           weights=[28, 34, 22, 16])[0]
    if d["handoff"] is not None:
        return rng.choices(["Attempted to Contact", "Open", "Bad Timing"],
                           weights=[70, 18, 12])[0]
    if d["mql"] is not None:
        if AS_OF - d["mql"] < timedelta(days=14):
            return "New"
        return rng.choices(["Open", "New", "Unqualified"], weights=[55, 20, 25])[0]
    if AS_OF - created < timedelta(days=21):
        return rng.choices(["New", ""], weights=[85, 15])[0]
    return rng.choices(["Open", "Unqualified", "Bad Timing", "New", ""],
                       weights=[30, 35, 14, 10, 11])[0]


# Free-text notes a rep might leave. Each note only goes on a lead where it
# makes sense (the "fits" test), and some notes pin the Lead Status.
# Ten contain a comma, two contain double quotes, one contains a line break.
def _touched(r):
    return r["d"]["touch"] is not None and r["d"]["sql"] is None


def _handed_not_touched(r):
    return r["d"]["handoff"] is not None and r["d"]["touch"] is None


def _handed(r):
    return r["d"]["handoff"] is not None


def _any(r):
    return True


NOTES = [
    # (text, fits, forced Lead Status or None)
    ("Asked for pricing, call back Tuesday", _touched, "In Progress"),
    ("Using spreadsheets today, wants a demo next month", _touched, "In Progress"),
    ("Budget frozen until next quarter, revisit later", _touched, "Bad Timing"),
    ("Met at our booth, interested in the API",
     lambda r: r["source"] == "Offline Sources" and r["campaign"] != "crm-import", None),
    ("Wrong phone number on the form, emailed instead", _handed, None),
    ("Evaluating two other vendors, decision in about 6 weeks",
     lambda r: r["d"]["sql"] is not None and r["d"]["won"] is None, None),
    ("Champion left the company, new contact pending", _handed, None),
    ("Requested case studies, sent two", _handed, None),
    ("Small team (4 seats), good fit for starter plan", _handed, None),
    ("Student project, not a buyer", lambda r: r["d"]["mql"] is None, "Unqualified"),
    ('Said "not now" on the phone', _touched, "Bad Timing"),
    ('Wants a trial of the "enterprise" tier first', lambda r: r["d"]["sql"] is not None, None),
    ("Left a voicemail\nTry again after lunch", _handed_not_touched, "Attempted to Contact"),
    ("Prefers email over calls", _any, None),
    ("Referred by an existing customer", lambda r: r["source"] == "Referrals", None),
    ("Spanish speaker", _any, None),
    ("Out of office until the 15th", _handed_not_touched, None),
    ("Downloaded the ROI calculator", lambda r: r["d"]["mql"] is not None, None),
]


def fmt_local(dt):
    return "" if dt is None else fix_ny_gap(dt).strftime("%Y-%m-%d %H:%M")


def build_hubspot():
    rng = random.Random(HS_SEED)
    n_rows = 300
    start, end = datetime(2026, 1, 5).date(), datetime(2026, 10, 20).date()
    month_w = {1: 0.8, 2: 0.9, 3: 1.2, 4: 1.35, 5: 1.2, 6: 1.0, 7: 0.7,
               8: 0.65, 9: 1.15, 10: 1.0}
    days = weighted_days(rng, start, end, n_rows - 2, month_w) + [start, end]

    used_pairs, used_emails = set(), set()
    rows = []
    for day in days:
        first, last = pick_name(rng, used_pairs)
        created = fix_ny_gap(daytime(rng, day))
        source = rng.choices(HS_SOURCES, weights=HS_SOURCE_WEIGHTS)[0]
        rows.append({
            "first": first, "last": last,
            "email": make_email(rng, first, last, used_emails),
            "created": created, "source": source, "note": "",
        })
    rows.sort(key=lambda r: r["created"])

    # exactly four leads with no Original Source
    for i in rng.sample(range(len(rows)), 4):
        rows[i]["source"] = ""
    for r in rows:
        r["campaign"] = hs_campaign(rng, r["source"], r["created"])
        r["d"] = cap_stages(hs_funnel(rng, r))

    # ---- planted traps -------------------------------------------------
    traps = {"skip_mql": [], "opp_before_sql": [], "sql_before_create": []}

    def reached(r, k):
        return r["d"][k] is not None

    def mid_year(r):
        return datetime(2026, 3, 1) <= r["created"] <= datetime(2026, 8, 31)

    plain_sql = [i for i, r in enumerate(rows) if reached(r, "sql") and not reached(r, "opp")]
    with_opp = [i for i, r in enumerate(rows) if reached(r, "opp")]

    # (a) one lead whose whole sales history predates its Create Date: it was
    #     re-created by a CRM import, which reset Create Date.
    i_import = rng.choice([i for i in plain_sql if mid_year(rows[i])])
    r = rows[i_import]
    new_created = daytime(rng, (r["d"]["sql"] + timedelta(days=rng.randint(3, 9))).date(), True)
    while new_created.weekday() >= 5:
        new_created += timedelta(days=1)
    r["created"] = new_created
    r["source"], r["campaign"] = "Offline Sources", "crm-import"
    r["note"] = "Re-created by the legacy CRM import"
    traps["sql_before_create"].append(r)

    # (b) three sales-sourced leads: rep worked them directly, no MQL date
    pool = [i for i in plain_sql + with_opp if i != i_import and rows[i]["d"]["won"] is None]
    for i in rng.sample(pool, 3):
        r = rows[i]
        r["d"]["mql"] = None
        r["source"] = rng.choice(["Offline Sources", "Referrals"])
        r["campaign"] = "sales-prospecting" if r["source"] == "Offline Sources" else "customer-referral"
        traps["skip_mql"].append(r)

    # (c) two leads where someone set the opportunity date before the SQL date
    skip_ids = {id(x) for x in traps["skip_mql"]}
    pool = [i for i in with_opp if id(rows[i]) not in skip_ids]
    for i in rng.sample(pool, 2):
        d = rows[i]["d"]
        d["sql"], d["opp"] = d["opp"], d["sql"]
        traps["opp_before_sql"].append(rows[i])

    trap_ids = {id(x) for v in traps.values() for x in v}

    # ---- owners -----------------------------------------------------------
    normal = [r for r in rows if id(r) not in trap_ids]
    never_handed = [r for r in normal if r["d"]["handoff"] is None]
    unassigned = {id(r) for r in rng.sample(never_handed, 7)}
    for r in rows:
        r["owner"] = "" if id(r) in unassigned else rng.choices(HS_REPS, weights=HS_REP_WEIGHTS)[0]

    # ---- notes --------------------------------------------------------------
    for text, fits, status in NOTES:
        free = [r for r in rows if id(r) not in trap_ids and not r["note"] and fits(r)]
        r = rng.choice(free)
        r["note"], r["force_status"] = text, status

    # ---- IDs, status, output ------------------------------------------------
    rows.sort(key=lambda r: r["created"])
    rec = 51234001
    for r in rows:
        r["id"] = str(rec)
        rec += rng.choices([1, 2, 3, 5, 9, 17], weights=[40, 22, 14, 10, 8, 6])[0]
        r["stage"] = furthest(r["d"])
        r["status"] = lead_status(rng, r["d"], r["created"])
        if r.get("force_status"):
            r["status"] = r["force_status"]

    path = os.path.join(HERE, "hubspot-contacts.csv")
    with open(path, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(HS_HEADER)
        for r in rows:
            d = r["d"]
            w.writerow([
                r["id"], r["first"], r["last"], r["email"], fmt_local(r["created"]),
                r["stage"], r["status"], r["source"], r["campaign"], r["owner"],
                fmt_local(d["mql"]), fmt_local(d["handoff"]), fmt_local(d["touch"]),
                fmt_local(d["sql"]), fmt_local(d["opp"]), fmt_local(d["won"]), r["note"],
            ])
    return {k: [x["id"] for x in v] for k, v in traps.items()}, len(rows)


# ---------------------------------------------------------------------------
# 2. Two-file example: leads.csv + deals.csv
# ---------------------------------------------------------------------------

# UTC offsets in 2026, written out so the script needs no time zone database.
# New York: EDT from 2026-03-08 02:00 local to 2026-11-01 02:00 local.
# Berlin:   CEST from 2026-03-29 02:00 local to 2026-10-25 03:00 local.
# Sao Paulo: no daylight saving time, always -03:00.
def utc_offset_hours(zone, local):
    if zone == "America/Sao_Paulo":
        return -3
    if zone == "America/New_York":
        return -4 if datetime(2026, 3, 8, 2) <= local < datetime(2026, 11, 1, 1) else -5
    if zone == "Europe/Berlin":
        return 2 if datetime(2026, 3, 29, 2) <= local < datetime(2026, 10, 25, 3) else 1
    raise ValueError(zone)


def to_utc(zone, local):
    return local - timedelta(hours=utc_offset_hours(zone, local))


def from_utc(zone, utc):
    guess = utc + timedelta(hours=utc_offset_hours(zone, utc))
    return utc + timedelta(hours=utc_offset_hours(zone, guess))


def fmt_offset(zone, local):
    h = utc_offset_hours(zone, local)
    sign = "-" if h < 0 else "+"
    return local.strftime("%Y-%m-%dT%H:%M:%S") + f"{sign}{abs(h):02d}:00"


def fmt_z(utc):
    return "" if utc is None else utc.strftime("%Y-%m-%dT%H:%M:%SZ")


ZONE_REPS = {
    "America/Sao_Paulo": ["Rafael Lima"],
    "America/New_York": ["Dana Whitfield", "Kevin Brooks"],
    "Europe/Berlin": ["Hannah Schulz"],
}

LEAD_SOURCES = ["webinar", "paid_search", "organic", "partner", "event"]
LEAD_SOURCE_WEIGHTS = [22, 26, 25, 13, 14]
DEAL_WEIGHT = {"webinar": 1.2, "paid_search": 1.0, "organic": 0.8, "partner": 1.9,
               "event": 1.4, "": 0.8}


def lead_campaign(rng, source, zone, local):
    m = local.month
    if source == "webinar":
        if m <= 3:
            c = "webinar-pipeline-basics"
        elif m <= 6:
            c = "webinar-forecasting-101"
        else:
            c = "webinar-q3-roadmap"
        return rng.choices([c, ""], weights=[90, 10])[0]
    if source == "paid_search":
        return rng.choices(["brand-search", "competitor-search", ""], weights=[55, 30, 15])[0]
    if source == "organic":
        return rng.choices(["", "blog-lead-scoring-guide", "template-gallery"], weights=[65, 20, 15])[0]
    if source == "partner":
        if zone == "America/Sao_Paulo":
            return "partner-agencia-norte"
        if zone == "Europe/Berlin":
            return "partner-datahaus"
        return rng.choices(["partner-revops-collective", ""], weights=[80, 20])[0]
    if source == "event":
        if zone == "Europe/Berlin":
            return "saas-summit-berlin" if m <= 6 else "dmexco-cologne"
        if zone == "America/Sao_Paulo":
            return "rd-summit-sp" if m >= 7 else "meetup-sao-paulo"
        return "nyc-revops-meetup"
    return ""


AMOUNT_BASES = [4800, 7200, 9600, 12500, 15000, 18000, 24000, 36000, 52000]
AMOUNT_WEIGHTS = [10, 14, 16, 16, 12, 10, 9, 6, 3]


def deal_amount(rng):
    base = rng.choices(AMOUNT_BASES, weights=AMOUNT_WEIGHTS)[0]
    value = base * rng.uniform(0.85, 1.2)
    value = round(value / 50) * 50
    return f"{value:.2f}"


def business_utc(rng, zone, day):
    """A working-hours moment on a local calendar day, returned in UTC."""
    while day.weekday() >= 5:
        day += timedelta(days=1)
    local = daytime(rng, day, business=True).replace(second=rng.randint(0, 59))
    return to_utc(zone, local)


def build_two_file():
    rng = random.Random(TWO_FILE_SEED)
    n_leads = 120
    start, end = datetime(2026, 2, 1).date(), datetime(2026, 9, 30).date()
    month_w = {2: 0.9, 3: 1.1, 4: 1.2, 5: 1.1, 6: 1.0, 7: 0.75, 8: 0.7, 9: 1.1}
    days = weighted_days(rng, start, end, n_leads - 2, month_w) + [start, end]

    used_pairs, used_emails = set(), set()
    leads = []
    for day in days:
        zone = rng.choices(list(ZONE_REPS), weights=[30, 36, 34])[0]
        local = daytime(rng, day).replace(second=rng.randint(0, 59))
        if local.hour < 6:  # keep clear of DST switch hours; nobody fills forms at 4am anyway
            local = local.replace(hour=local.hour + 7)
        first, last = pick_name(rng, used_pairs)
        leads.append({
            "zone": zone, "local": local, "utc": to_utc(zone, local),
            "email": make_email(rng, first, last, used_emails),
        })
    leads.sort(key=lambda x: x["utc"])

    blank_src = set(rng.sample(range(n_leads), 2))
    num = 118
    for i, L in enumerate(leads):
        L["id"] = f"L-{num:06d}"
        num += rng.choices([1, 2, 3], weights=[82, 13, 5])[0]
        L["source"] = "" if i in blank_src else rng.choices(LEAD_SOURCES, weights=LEAD_SOURCE_WEIGHTS)[0]
        L["campaign"] = lead_campaign(rng, L["source"], L["zone"], L["local"])
        L["owner"] = "" if rng.random() < 0.1 else rng.choice(ZONE_REPS[L["zone"]])

    with open(os.path.join(HERE, "leads.csv"), "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["lead_id", "created_at", "email", "source", "campaign", "owner"])
        for L in leads:
            w.writerow([L["id"], fmt_offset(L["zone"], L["local"]), L["email"],
                        L["source"], L["campaign"], L["owner"]])

    # ---- which leads get deals ------------------------------------------------
    n_with_deal = 39
    keyed = sorted(leads, key=lambda L: rng.random() ** (1.0 / DEAL_WEIGHT[L["source"]]), reverse=True)
    deal_leads = sorted(keyed[:n_with_deal], key=lambda L: L["utc"])
    # repeat customers / second tries: leads created early enough for two deals
    early = [L for L in deal_leads if L["utc"] < datetime(2026, 8, 20)]
    twice = rng.sample(early, 5)
    twice_ids = {L["id"] for L in twice}
    single = [L for L in deal_leads if L["id"] not in twice_ids]
    before_lead = rng.choice([L for L in single if datetime(2026, 4, 1) < L["utc"] < datetime(2026, 7, 31)])

    deals = []

    def add_deal(L, zone, owner, created, stage=None):
        if stage is None:
            stage = rng.choices(["qualified", "proposal", "negotiation", "won", "lost"],
                                weights=[28, 20, 12, 20, 20])[0]
        opp = won = lost = None
        if stage == "lost" and rng.random() < 0.45:
            lost = business_utc(rng, zone, (from_utc(zone, created) + timedelta(days=rng.randint(3, 25))).date())
            if lost > AS_OF:
                stage, lost = "qualified", None
        elif stage != "qualified":
            opp = business_utc(rng, zone, (from_utc(zone, created) + timedelta(days=rng.randint(2, 18))).date())
            if opp > AS_OF:
                stage, opp = "qualified", None
            elif stage == "won":
                won = business_utc(rng, zone, (from_utc(zone, opp) + timedelta(days=rng.randint(6, 40))).date())
                if won > AS_OF:
                    stage, won = "negotiation", None
            elif stage == "lost":
                lost = business_utc(rng, zone, (from_utc(zone, opp) + timedelta(days=rng.randint(4, 35))).date())
                if lost > AS_OF:
                    stage, lost = "proposal", None
        deals.append({"lead": L, "lead_id": L["id"] if isinstance(L, dict) else L,
                      "created": created, "owner": owner, "stage": stage,
                      "opp": opp, "won": won, "lost": lost, "amount": deal_amount(rng)})
        return deals[-1]

    for L in deal_leads:
        zone = L["zone"]
        owner = L["owner"] or rng.choice(ZONE_REPS[zone])
        if rng.random() < 0.08:  # the occasional reassignment at deal time
            owner = rng.choice([r for reps in ZONE_REPS.values() for r in reps if r != owner])
        latest = min(40, (AS_OF - L["utc"]).days - 1)
        if L is before_lead:
            created = L["utc"] - timedelta(days=2, hours=3, minutes=17)
            created = created.replace(second=rng.randint(0, 59))
            add_deal(L, zone, owner, created, stage="qualified")
            continue
        if L["id"] in twice_ids:
            first_gap = rng.randint(1, 12)
            created = business_utc(rng, zone, (L["local"] + timedelta(days=first_gap)).date())
            if created <= L["utc"] + timedelta(days=1):
                created = L["utc"] + timedelta(days=1, hours=rng.randint(1, 6))
            first_stage = "won" if L is twice[0] else "lost"
            add_deal(L, zone, owner, created, stage=first_stage)
            second_gap = rng.randint(first_gap + 8, min(latest, first_gap + 26))
            created2 = business_utc(rng, zone, (L["local"] + timedelta(days=second_gap)).date())
            add_deal(L, zone, owner, created2,
                     stage="qualified" if L is twice[0] else None)
            continue
        gap = rng.choices(range(1, 41), weights=[max(1, 30 - k) for k in range(40)])[0]
        gap = min(gap, latest)
        created = business_utc(rng, zone, (L["local"] + timedelta(days=gap)).date())
        if created <= L["utc"] + timedelta(days=1):
            created = L["utc"] + timedelta(days=1, hours=rng.randint(1, 6), minutes=rng.randint(0, 59))
        if created > L["utc"] + timedelta(days=40):
            created = L["utc"] + timedelta(days=39, hours=rng.randint(1, 20))
        add_deal(L, zone, owner, created)

    # two orphans: the lead was deleted or never exported
    orphan_specs = [("L-999001", "America/New_York", "Kevin Brooks", datetime(2026, 5, 19).date(), "proposal"),
                    ("L-999002", "Europe/Berlin", "Hannah Schulz", datetime(2026, 8, 4).date(), "lost")]
    orphans = []
    for lid, zone, owner, day, stage in orphan_specs:
        orphans.append(add_deal(lid, zone, owner, business_utc(rng, zone, day), stage=stage))

    deals.sort(key=lambda d: d["created"])
    num = 20411
    for d in deals:
        d["id"] = f"D-{num}"
        num += rng.choices([1, 2, 4], weights=[75, 18, 7])[0]

    with open(os.path.join(HERE, "deals.csv"), "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["deal_id", "lead_id", "created_at", "owner", "stage",
                    "opportunity_at", "won_at", "lost_at", "amount"])
        for d in deals:
            w.writerow([d["id"], d["lead_id"], fmt_z(d["created"]), d["owner"], d["stage"],
                        fmt_z(d["opp"]), fmt_z(d["won"]), fmt_z(d["lost"]), d["amount"]])

    before = [d for d in deals if d["lead"] is before_lead]
    return {
        "leads": len(leads), "deal_rows": len(deals),
        "two_deal_leads": sorted(twice_ids),
        "orphans": [(d["id"], d["lead_id"]) for d in orphans],
        "deal_before_lead": [(d["id"], d["lead_id"]) for d in before],
    }


if __name__ == "__main__":
    hs_traps, hs_rows = build_hubspot()
    print(f"hubspot-contacts.csv: {hs_rows} rows")
    for k, v in hs_traps.items():
        print(f"  {k}: {', '.join(v)}")
    info = build_two_file()
    print(f"leads.csv: {info['leads']} rows; deals.csv: {info['deal_rows']} rows")
    print(f"  leads with two deals: {', '.join(info['two_deal_leads'])}")
    print(f"  orphan deals: {info['orphans']}")
    print(f"  deal created before its lead: {info['deal_before_lead']}")
