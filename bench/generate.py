#!/usr/bin/env python3
"""Deterministic generator of HubSpot-style CRM exports for the leadfunnel benchmark.

    python3 bench/generate.py --rows N [--seed S] [--shape single|two-file]
                              [--format csv|ndjson] [--messy] --out PATH [--jobs J]

Shapes:
  single    one contacts export, HubSpot property labels as headers (the same
            columns as data/hubspot-contacts.csv), written to PATH exactly.
  two-file  a leads file and a deals file joined by lead id (the shape of
            data/leads.csv + data/deals.csv). PATH is a prefix: the files are
            PATH-leads.csv and PATH-deals.csv (.ndjson with --format ndjson).

Formats:
  csv       RFC 4180: comma, LF line ends, fields quoted only when they hold a
            comma, a quote or a line break (the Notes column does, sometimes).
  ndjson    one JSON object per line, keyed by the same column names; blank
            cells are JSON null.

--messy (single shape) adds what a big, old CRM account holds, to check that
memory stays flat on it: 3% of rows repeat the Record ID of an earlier row of
their block (duplicate leads), the Contact owner is one of 3,000 reps, and the
campaign (Original Source Drill-Down 1) is a landing-page URL of its own for
every lead. These draw from a stream of their own, so the leads are otherwise
the same as without --messy.

Everything is made up (e-mail addresses are on example.com/.org/.net). The
output depends only on --rows, --seed and the fixed --start/--end below: the
same arguments give byte-identical files whatever --jobs is, because rows are
made in fixed blocks of BLOCK rows, each with its own random.Random seeded
from (seed, block number). Memory stays constant: at most 2 x jobs blocks are
in flight. Standard library only.

What the data holds (docs/performance.md has more):
  - leads created uniformly (weekdays favoured) from --start to --end (the
    moment of the export; nothing in a file is later than --end);
  - each lead lives in one of several zones and all its dates are written
    with that zone's real UTC offset at the time (-05:00/-04:00 New York,
    -03:00 Sao Paulo, +01:00/+02:00 Berlin, +00:00/+01:00 London, +05:30
    Kolkata, -08:00/-07:00 Los Angeles) or as UTC with a Z;
  - a funnel: MQL, hand-off (Owner Assigned Date), first engagement,
    SQL (prospect), opportunity, customer, with rates that depend on the
    source and on the rep; first touches fall mostly in New York working
    hours, so the business-hours clock differs from the wall clock;
  - blanks (source, campaign, owner, Lead Status), a Notes column with
    quoted commas, doubled quotes and line breaks, accented names;
  - a few planted oddities: contacts whose Lifecycle Stage says SQL with no
    SQL date (an undated prospect), opportunity dates before the SQL date,
    first engagements before the hand-off, sales-sourced leads with no MQL.
"""

import argparse
import bisect
import math
import multiprocessing
import os
import random
import sys
import time
from collections import deque
from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

BLOCK = 50_000  # rows per block; part of the output's definition, do not change

DEFAULT_START = "2024-07-01T04:00:00Z"  # 2024-07-01 00:00 New York
DEFAULT_END = "2026-07-01T04:00:00Z"    # 2026-07-01 00:00 New York (the export moment)

HS_HEADER = [
    "Record ID", "First Name", "Last Name", "Email", "Create Date", "Lifecycle Stage",
    "Lead Status", "Original Source", "Original Source Drill-Down 1", "Contact owner",
    "Became a Marketing Qualified Lead Date", "Owner Assigned Date", "Date of first engagement",
    "Became a Sales Qualified Lead Date", "Became an Opportunity Date", "Became a Customer Date",
    "Notes",
]
LEADS_HEADER = [
    "lead_id", "first_name", "last_name", "email", "created_at", "lead_status", "source",
    "campaign", "owner", "mql_at", "handoff_at", "first_touch_at", "notes",
]
DEALS_HEADER = [
    "deal_id", "lead_id", "created_at", "owner", "stage", "opportunity_at", "won_at", "lost_at",
    "amount",
]

FIRST_NAMES = [
    "Olivia", "Mateo", "Aisha", "Connor", "Mei", "Diego", "Fatima", "Lukas", "Sofia", "Kwame",
    "Hannah", "Rohan", "Chloe", "Tomasz", "Isabela", "Jamal", "Ingrid", "Hiroshi", "Nadia",
    "Patrick", "Leila", "Samuel", "Yuki", "Gabriel", "Amara", "Erik", "Camila", "Dmitri", "Zoë",
    "André", "Keiko", "Marco", "Elena", "Tariq", "Grace", "Felipe", "Anika", "Owen", "Bianca",
    "Ravi", "Sinéad", "Victor", "Lucía", "Emeka", "Clara", "Jonah", "Mariana", "Stefan", "Noah",
    "Hugo", "Daniela", "Kofi", "Laura", "Rahul", "Freya", "Omar", "Beatriz", "Inês", "Wei",
    "Margot", "Tobias", "Sana", "Pedro", "Arjun", "Renata", "Greta", "Luca", "Kenji", "Idris",
    "Søren", "José", "Agnieszka", "Yasmin", "Chidi", "Leonie", "Rui", "Tessa", "Julian", "Rosa",
]
LAST_NAMES = [
    "Whitaker", "Fernandes", "Okafor", "Lindqvist", "Brennan", "Tanaka", "Moreau", "Castillo",
    "Haddad", "Kowalski", "Nguyen", "Ruiz", "Schmidt", "Delgado", "Osei", "Petrov", "McAllister",
    "Iyer", "Rocha", "Bauer", "Gallagher", "Mensah", "Sato", "Duarte", "Hughes", "Vasquez",
    "Andersen", "Chandra", "Barros", "Keller", "O'Neill", "Romero", "Adeyemi", "Pereira", "Kim",
    "Lombardi", "Coleman", "Jansen", "Hassan", "Ortega", "Zhang", "Murphy", "Navarro", "Singh",
    "Dubois", "Yılmaz", "Moretti", "Salazar", "Wong", "Reyes", "Nakamura", "Santos", "Vogel",
    "Larsen", "Mendes", "Quinn", "Cruz", "Pham", "Walsh", "Medina", "Brandt", "Müller",
    "Gonçalves", "Nowak", "Choi", "Sharma", "Ekström", "Park", "Silva", "Hartmann", "Costa",
    "Van der Berg",
]
DOMAINS = ["example.com"] * 6 + ["example.org"] * 2 + ["example.net"] * 2

OWNERS = [
    "Ana Souza", "Ben Carter", "Priya Raman", "Marcus Oyelaran", "Julia Novak", "Rafael Lima",
    "Dana Whitfield", "Kevin Brooks", "Hannah Schulz", "Tomás Ibáñez", "Grace Okoye", "Liam Byrne",
    "Sophie Martin", "Daniel Kim", "Chiara Bianchi", "Mohammed Al-Sayed", "Emily Chen",
    "Jonas Weber", "Fernanda Alves", "Ryan O'Connor", "Aylin Demir", "Noah Fischer",
    "Camille Laurent", "Vikram Nair", "Olga Ivanova", "Pablo García", "Zara Ahmed",
    "Henrik Berg", "Mia Rossi", "Lucas Moreira", "Sarah Goldberg", "Kenta Ito", "Eva Novotná",
    "Joshua Adebayo", "Laura Jiménez", "Finn Hansen", "Isabel Ortiz", "Arthur Dupont",
    "Nina Kovač", "Oscar Lindgren",
]

# Original Source (HubSpot labels): weight, P(MQL), P(SQL | hand-off), campaigns (Drill-Down 1)
SOURCES = [
    ("Organic Search", 24, 0.45, 0.42, ["google", "bing", "duckduckgo", "blog-seo"]),
    ("Paid Search", 18, 0.62, 0.38, ["google-ads-brand", "google-ads-generic", "bing-ads"]),
    ("Paid Social", 14, 0.55, 0.26, ["linkedin-abm", "facebook-lookalike", "linkedin-retargeting"]),
    ("Email Marketing", 10, 0.50, 0.30, ["newsletter", "nurture-track", "product-update"]),
    ("Referrals", 9, 0.70, 0.58, ["partner-portal", "customer-referral", "g2"]),
    ("Direct Traffic", 12, 0.35, 0.33, ["qr-brochure", "homepage"]),
    ("Offline Sources", 6, 0.40, 0.50, ["saas-summit", "trade-show", "import", "webinar-live"]),
    ("Social Media", 4, 0.30, 0.22, ["linkedin-organic", "x-organic", "youtube"]),
    ("Other Campaigns", 2, 0.40, 0.30, ["spring-webinar", "ebook-guide"]),
    ("AI Referrals", 1, 0.50, 0.45, ["chatgpt", "perplexity"]),
]
BLANK_SOURCE_PERMILLE = 15

# Zones the leads live in (weight); every date of a lead is written in its zone's offset.
ZONES = [
    ("America/New_York", 38), ("America/Sao_Paulo", 16), ("Europe/Berlin", 14), ("UTC", 12),
    ("Europe/London", 8), ("Asia/Kolkata", 6), ("America/Los_Angeles", 6),
]
CALENDAR_ZONE = "America/New_York"  # where the sales team works (see bench/agreement.json)

NOTES = [
    "Left a voicemail\nTry again after lunch",
    "Asked for pricing, wants a demo next week",
    'Said "not now" on the phone',
    "Budget approved for Q3, decision by end of month",
    "Met at the booth; follow up with the case study",
    "Called twice, no answer\nSent a follow-up e-mail\nWill try again Monday",
    "Requested a callback, prefers mornings",
    "Wants integrations with Salesforce, HubSpot and Slack",
    "Não atende o telefone, tentar WhatsApp",
    "Große Firma, 500+ Mitarbeiter",
    "Good fit",
    "Champion left the company; new contact is \"Head of Ops\"",
    "Competitor contract ends in 2027",
    "Downloaded the e-book, then the pricing sheet, then booked a demo",
    "Duplicate of an older contact?",
    "Student, not a buyer",
]
NOTES_PERMILLE = 120

LEAD_STATUS_OPEN = ["New", "Open", "New", "Open", "Attempted to Contact", ""]
LEAD_STATUS_WORKED = ["In Progress", "Attempted to Contact", "Unqualified", "Bad Timing", "Open",
                      "In Progress", "Unqualified", ""]

EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)
HOUR = 3600
DAY = 86400


def parse_utc(text):
    dt = datetime.fromisoformat(text.replace("Z", "+00:00"))
    if dt.tzinfo is None:
        raise SystemExit(f"generate.py: {text!r} needs an offset or Z")
    return int((dt - EPOCH).total_seconds())


def weighted_pool(items):
    """A list in which each item appears `weight` times: pool[int(random() * len(pool))]."""
    pool = []
    for item, weight in items:
        pool.extend([item] * weight)
    return pool


def ascii_slug(text):
    import unicodedata
    text = text.replace("ı", "i").replace("ø", "o")
    norm = unicodedata.normalize("NFKD", text)
    return "".join(c for c in norm if c.isascii() and c.isalnum()).lower()


def csv_field(s):
    if any(c in s for c in ',"\n\r'):
        return '"' + s.replace('"', '""') + '"'
    return s


def json_str(s):
    import json
    return json.dumps(s, ensure_ascii=False)


class Tables:
    """Everything precomputed once per process: offsets, date strings, pools."""

    def __init__(self, seed, start, end):
        self.start, self.end = start, end
        lo, hi = start - 400 * DAY, end + 400 * DAY
        self.day0 = lo // DAY
        self.days = []
        for d in range(self.day0, hi // DAY + 2):
            self.days.append((EPOCH + timedelta(days=d)).strftime("%Y-%m-%d"))
        self.hms = [f"{s // 3600:02d}:{s // 60 % 60:02d}:{s % 60:02d}" for s in range(DAY)]
        # per zone: transition instants (sorted), offsets in seconds, offset suffixes
        self.zones = []
        for name, _ in ZONES:
            self.zones.append(self._zone(name, lo, hi))
        self.zone_pool = weighted_pool([(i, w) for i, (_, w) in enumerate(ZONES)])
        self.cal = self._zone(CALENDAR_ZONE, lo, hi)
        self.source_pool = weighted_pool([(i, w) for i, s in enumerate(SOURCES) for w in [s[1]]])
        rng = random.Random(f"{seed}-tables")
        # each rep: mean first-touch delay in hours, and a factor on P(SQL)
        self.owner_speed = [rng.choice([0.4, 0.8, 1.5, 2.5, 4, 6, 10]) for _ in OWNERS]
        self.owner_skill = [0.8 + 0.4 * rng.random() for _ in OWNERS]
        self.first_ascii = [ascii_slug(n) for n in FIRST_NAMES]
        self.last_ascii = [ascii_slug(n).replace("vanderberg", "vdberg") for n in LAST_NAMES]

    def _zone(self, name, lo, hi):
        if name == "UTC":
            return ([-(1 << 62)], [0], ["Z"])
        zi = ZoneInfo(name)
        times, offs, sufs = [-(1 << 62)], [], []

        def off_at(t):
            return int((EPOCH + timedelta(seconds=t)).astimezone(zi).utcoffset().total_seconds())

        prev = off_at(lo)
        offs.append(prev)
        for t in range(lo - lo % HOUR, hi, HOUR):  # these zones change on whole UTC hours
            o = off_at(t)
            if o != prev:
                times.append(t)
                offs.append(o)
                prev = o
        for o in offs:
            sign = "+" if o >= 0 else "-"
            a = abs(o)
            sufs.append(f"{sign}{a // 3600:02d}:{a // 60 % 60:02d}")
        return (times, offs, sufs)


def make_block(args):
    """Rows [first, first + count) as encoded bytes: (main, deals) (deals is b'' for single)."""
    block, first, count, seed, shape, fmt, start, end, messy = args
    T = _tables(seed, start, end)
    rng = random.Random(f"{seed}-block-{block}")
    rnd = rng.random
    # --messy draws from its own stream too
    mrnd = random.Random(f"{seed}-messy-{block}").random
    block_ids = []
    # deals draw from their own stream, so the leads are the same in both shapes
    drng = random.Random(f"{seed}-deals-{block}")
    drnd = drng.random
    log = math.log
    bis = bisect.bisect_right
    days, day0, hms = T.days, T.day0, T.hms
    zones, zone_pool = T.zones, T.zone_pool
    utc = zones[[n for n, _ in ZONES].index("UTC")]
    cal_times, cal_offs, _ = T.cal
    source_pool = T.source_pool
    n_zone_pool, n_source_pool = len(zone_pool), len(source_pool)
    n_first, n_last, n_owner, n_notes = len(FIRST_NAMES), len(LAST_NAMES), len(OWNERS), len(NOTES)
    span = end - start
    single = shape == "single"
    ndjson = fmt == "ndjson"
    out, deals = [], []

    if ndjson:
        notes_enc = [json_str(n) for n in NOTES]
        first_enc = [json_str(n) for n in FIRST_NAMES]
        last_enc = [json_str(n) for n in LAST_NAMES]
        owner_enc = [json_str(n) for n in OWNERS]
        keys = [json_str(k) + ":" for k in (HS_HEADER if single else LEADS_HEADER)]
        dkeys = [json_str(k) + ":" for k in DEALS_HEADER]
    else:
        notes_enc = [csv_field(n) for n in NOTES]
        first_enc = [csv_field(n) for n in FIRST_NAMES]
        last_enc = [csv_field(n) for n in LAST_NAMES]
        owner_enc = [csv_field(n) for n in OWNERS]

    def fmt_z(t, z):
        if t is None:
            return None
        times, offs, sufs = z
        i = bis(times, t) - 1
        loc = t + offs[i]
        d = loc // DAY
        return days[d - day0] + "T" + hms[loc - d * DAY] + sufs[i]

    def cal_local(t):
        return t + cal_offs[bis(cal_times, t) - 1]

    def cal_utc(local):
        t = local - cal_offs[bis(cal_times, local) - 1]
        return local - cal_offs[bis(cal_times, t) - 1]

    def expo(mean):
        return -mean * log(1.0 - rnd())

    def dexpo(mean):
        return -mean * log(1.0 - drnd())

    deal_no = first * 2
    for k in range(first, first + count):
        # --- who -----------------------------------------------------------
        z = zones[zone_pool[int(rnd() * n_zone_pool)]]
        c = start + int(rnd() * span)
        if (c // DAY + 3) % 7 >= 5 and rnd() < 0.6:  # fewer weekend sign-ups
            c = start + int(rnd() * span)
        if rnd() * 1000 < BLANK_SOURCE_PERMILLE:
            si = -1
            src, camp, p_mql, p_sql = "", "", 0.4, 0.3
        else:
            si = source_pool[int(rnd() * n_source_pool)]
            s = SOURCES[si]
            src, p_mql, p_sql = s[0], s[2], s[3]
            camp = "" if rnd() < 0.25 else s[4][int(rnd() * len(s[4]))]
        oi = int(rnd() * n_owner)
        fi = int(rnd() * n_first)
        li = int(rnd() * n_last)

        # --- funnel (instants in UTC seconds; None = never) ---------------
        mql = handoff = touch = sql = opp = won = lost = None
        undated_sql = False
        if rnd() < p_mql:
            mql = c + (int(rnd() * 300) if rnd() < 0.25 else int(expo(2 * DAY)))
            if rnd() < 0.72:
                handoff = mql + int(expo(3 * HOUR))
        elif si in (4, 6) and rnd() < 0.05:  # sales-sourced: handed off without an MQL date
            handoff = c + int(expo(HOUR))
        if handoff is not None:
            u = rnd()
            if u < 0.003:  # first engagement logged before the hand-off
                touch = handoff - 60 - int(expo(HOUR))
            elif u < 0.93:
                touch = handoff + 60 + int(expo(T.owner_speed[oi] * HOUR))
                loc = cal_local(touch)
                ld = loc // DAY
                tod = loc - ld * DAY
                wd = (ld + 3) % 7  # 0 = Monday
                if (wd >= 5 or tod < 9 * HOUR or tod >= 18 * HOUR) and rnd() < 0.85:
                    # reps answer in New York working hours: next working morning
                    if wd < 5 and tod < 9 * HOUR:
                        nd = ld
                    else:
                        nd = ld + 1
                        while (nd + 3) % 7 >= 5:
                            nd += 1
                    touch = cal_utc(nd * DAY + 9 * HOUR + int(expo(40 * 60)))
            if rnd() < p_sql * T.owner_skill[oi]:
                sql = (touch if touch is not None and touch > handoff else handoff) + int(expo(5 * DAY))
                if rnd() < 0.45:
                    opp = sql + int(expo(10 * DAY)) if rnd() > 0.005 else sql - int(expo(3 * DAY))
                    if rnd() < 0.35:
                        won = max(opp, sql) + int(expo(25 * DAY))
                    elif rnd() < 0.5:
                        lost = max(opp, sql) + int(expo(20 * DAY))
                elif rnd() < 0.3:
                    lost = sql + int(expo(15 * DAY))
            elif rnd() < 0.012:
                undated_sql = True  # Lifecycle Stage says SQL, but nobody filled the date
        # the export happens at `end`: later events have not happened yet
        if mql is not None and mql > end:
            mql = None
        if handoff is not None and handoff > end:
            handoff = None
            touch = None
        if touch is not None and touch > end:
            touch = None
        if sql is not None and sql > end:
            sql = None
        if opp is not None and opp > end:
            opp = None
        if won is not None and won > end:
            won = None
        if lost is not None and lost > end:
            lost = None

        if won is not None:
            stage = "Customer"
        elif opp is not None:
            stage = "Opportunity"
        elif sql is not None or undated_sql:
            stage = "Sales Qualified Lead"
        elif mql is not None:
            stage = "Marketing Qualified Lead"
        else:
            stage = "Lead" if rnd() < 0.7 else "Subscriber"
        if sql is not None:
            status = "Connected" if rnd() < 0.8 else "In Progress"
        elif handoff is not None:
            status = LEAD_STATUS_WORKED[int(rnd() * len(LEAD_STATUS_WORKED))]
        else:
            status = LEAD_STATUS_OPEN[int(rnd() * len(LEAD_STATUS_OPEN))]
        # routing gives most leads a rep; unassigned ones were never handed off
        owner_blank = handoff is None and rnd() < 0.03
        note = notes_enc[int(rnd() * n_notes)] if rnd() * 1000 < NOTES_PERMILLE else None

        gap = int(rnd() * 3)  # drawn in both shapes, so both hold the same leads
        rid = str(10_000_001 + 3 * k + gap) if single else f"L-{k + 1:08d}"
        email = f"{T.first_ascii[fi]}.{T.last_ascii[li]}.{k % 9973}@{DOMAINS[k % 10]}"
        owner = None if owner_blank else owner_enc[oi]
        if messy:
            if block_ids and mrnd() < 0.03:
                rid = block_ids[int(mrnd() * len(block_ids))]
            else:
                block_ids.append(rid)
            if owner is not None:
                owner = f"Rep {int(mrnd() * 3000):04d}"
                owner = json_str(owner) if ndjson else owner
            if camp:
                camp = f"https://example.com/landing/{k}?utm_term=kw{k * 7919 % 100003}"
        if single:
            vals = [rid, first_enc[fi], last_enc[li], email, fmt_z(c, z), stage, status, src, camp,
                    owner, fmt_z(mql, z), fmt_z(handoff, z), fmt_z(touch, z), fmt_z(sql, z),
                    fmt_z(opp, z), fmt_z(won, z), note]
        else:
            vals = [rid, first_enc[fi], last_enc[li], email, fmt_z(c, z), status, src, camp, owner,
                    fmt_z(mql, z), fmt_z(handoff, z), fmt_z(touch, z), note]
        if ndjson:
            parts = []
            for i, v in enumerate(vals):
                if v is None or v == "":
                    parts.append(keys[i] + "null")
                elif i in (1, 2, 9 if single else 8) or i == len(vals) - 1:
                    parts.append(keys[i] + v)  # already JSON-encoded
                else:
                    parts.append(keys[i] + '"' + v + '"')
            out.append("{" + ",".join(parts) + "}\n")
        else:
            out.append(",".join("" if v is None else v for v in vals) + "\n")

        # --- two-file: the deals made from this lead ------------------------
        if not single and sql is not None:
            deal_owner = OWNERS[oi] if drnd() < 0.95 else OWNERS[int(drnd() * n_owner)]
            n_deals = 2 if drnd() < 0.08 else 1
            for j in range(n_deals):
                dc = sql if j == 0 else sql + int(dexpo(30 * DAY))
                if dc > end:
                    break
                if j == 0:
                    d_opp, d_won, d_lost = opp, won, lost
                else:
                    d_opp = dc + int(dexpo(7 * DAY)) if drnd() < 0.5 else None
                    d_won = d_opp + int(dexpo(20 * DAY)) if d_opp is not None and drnd() < 0.4 else None
                    d_lost = None
                    if d_opp is not None and d_opp > end:
                        d_opp = d_won = None
                    if d_won is not None and d_won > end:
                        d_won = None
                if d_won is not None:
                    dstage = "won"
                elif d_lost is not None:
                    dstage = "lost"
                elif d_opp is not None:
                    dstage = "proposal" if drnd() < 0.7 else "negotiation"
                else:
                    dstage = "qualified"
                deal_no += 1
                amount = f"{int(500 + dexpo(12000)) // 50 * 50}.00"
                dvals = [f"D-{deal_no:09d}", rid, fmt_z(dc, utc), deal_owner, dstage,
                         fmt_z(d_opp, utc), fmt_z(d_won, utc), fmt_z(d_lost, utc), amount]
                if ndjson:
                    parts = []
                    for i, v in enumerate(dvals):
                        if v is None or v == "":
                            parts.append(dkeys[i] + "null")
                        elif i == 3:
                            parts.append(dkeys[i] + json_str(v))
                        else:
                            parts.append(dkeys[i] + '"' + v + '"')
                    deals.append("{" + ",".join(parts) + "}\n")
                else:
                    dvals[3] = csv_field(deal_owner)
                    deals.append(",".join("" if v is None else v for v in dvals) + "\n")
    return ("".join(out).encode(), "".join(deals).encode())


_TABLES = {}


def _tables(seed, start, end):
    key = (seed, start, end)
    t = _TABLES.get(key)
    if t is None:
        _TABLES.clear()
        t = _TABLES[key] = Tables(seed, start, end)
    return t


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--rows", type=int, required=True, help="leads to write")
    ap.add_argument("--seed", type=int, default=42)
    ap.add_argument("--shape", choices=["single", "two-file"], default="single")
    ap.add_argument("--format", choices=["csv", "ndjson"], default="csv")
    ap.add_argument("--out", required=True,
                    help="output file (single) or prefix: PREFIX-leads.EXT and PREFIX-deals.EXT (two-file)")
    ap.add_argument("--start", default=DEFAULT_START, help="first creation instant (ISO 8601 with offset)")
    ap.add_argument("--end", default=DEFAULT_END, help="export moment: nothing later is written")
    ap.add_argument("--jobs", type=int, default=min(2, os.cpu_count() or 1),
                    help="worker processes (the output does not depend on it)")
    ap.add_argument("-q", "--quiet", action="store_true")
    ap.add_argument("--messy", action="store_true",
                    help="single shape: duplicate ids, 3,000 owners and a campaign URL per lead (see above)")
    a = ap.parse_args()
    if a.rows < 0:
        ap.error("--rows must be >= 0")
    if a.messy and a.shape != "single":
        ap.error("--messy is for the single shape")
    start, end = parse_utc(a.start), parse_utc(a.end)
    if end <= start:
        ap.error("--end must be after --start")

    ext = "csv" if a.format == "csv" else "ndjson"
    if a.shape == "single":
        paths = [a.out]
    else:
        paths = [f"{a.out}-leads.{ext}", f"{a.out}-deals.{ext}"]
    for p in paths:
        d = os.path.dirname(p)
        if d:
            os.makedirs(d, exist_ok=True)
    tmp = [p + ".tmp" for p in paths]
    files = [open(p, "wb") for p in tmp]
    if a.format == "csv":
        header = HS_HEADER if a.shape == "single" else LEADS_HEADER
        files[0].write((",".join(header) + "\n").encode())
        if a.shape == "two-file":
            files[1].write((",".join(DEALS_HEADER) + "\n").encode())

    tasks = []
    for b, first in enumerate(range(0, a.rows, BLOCK)):
        tasks.append((b, first, min(BLOCK, a.rows - first), a.seed, a.shape, a.format, start, end, a.messy))
    t0 = time.time()
    done = 0

    def write(res):
        nonlocal done
        files[0].write(res[0])
        if len(files) > 1:
            files[1].write(res[1])
        done += 1
        if not a.quiet and sys.stderr.isatty():
            print(f"\r{min(done * BLOCK, a.rows):,} rows", end="", file=sys.stderr)

    if a.jobs <= 1 or len(tasks) <= 1:
        for t in tasks:
            write(make_block(t))
    else:
        with multiprocessing.get_context("fork").Pool(a.jobs) as pool:
            pending = deque()
            it = iter(tasks)
            for t in it:
                pending.append(pool.apply_async(make_block, (t,)))
                if len(pending) >= 2 * a.jobs:
                    write(pending.popleft().get())
            while pending:
                write(pending.popleft().get())
    for f in files:
        f.close()
    for t, p in zip(tmp, paths):
        os.replace(t, p)
    if not a.quiet:
        sizes = ", ".join(f"{p} ({os.path.getsize(p) / 1e6:.1f} MB)" for p in paths)
        print(f"\rgenerate.py: {a.rows:,} leads in {time.time() - t0:.1f} s: {sizes}", file=sys.stderr)


if __name__ == "__main__":
    main()
