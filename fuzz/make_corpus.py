#!/usr/bin/env python3
"""Writes the seed corpora of the fuzz targets into fuzz/corpus/<target>/.

Seeds are the small test fixtures, the first 40 lines of the sample data,
and hand-written tricky inputs. Run it again after adding fixtures:

    python3 fuzz/make_corpus.py
"""
import pathlib
import shutil

ROOT = pathlib.Path(__file__).resolve().parent.parent
OUT = ROOT / "fuzz" / "corpus"
MAX_FIXTURE = 8 * 1024  # bytes; larger fixtures are cut to their first 40 lines


shutil.rmtree(OUT, ignore_errors=True)


def head(path, lines=40):
    data = path.read_bytes()
    if len(data) <= MAX_FIXTURE and path.parent.name != "data":
        return data
    return b"".join(data.splitlines(keepends=True)[:lines])


def write(target, name, data):
    d = OUT / target
    d.mkdir(parents=True, exist_ok=True)
    if isinstance(data, str):
        data = data.encode("utf-8")
    (d / name).write_bytes(data)


# ---------------------------------------------------------------- CSV seeds
csv_files = sorted(
    p for p in (ROOT / "tests" / "fixtures").rglob("*")
    if p.is_file() and p.suffix in (".csv", ".tsv")
) + sorted((ROOT / "data").glob("*.csv"))
csv_seeds = {}
for p in csv_files:
    csv_seeds[f"{p.parent.name}-{p.name}"] = head(p)

BOM = b"\xef\xbb\xbf"
tricky_csv = {
    "unterminated-quote.csv": b'id,name,created_at\n1,"Ana,2026-01-05\n2,Bia,2026-01-06\n',
    "crlf-in-quotes.csv": b'id,note,created_at\r\n1,"line one\r\nline two",2026-01-05\r\n2,"a ""quoted"" word",2026-01-06\r\n',
    "cr-only.csv": b"id,created_at\r1,2026-01-05\r2,2026-01-06\r",
    "bom-semicolon.csv": BOM + b"id;created_at;source\n1;05/01/2026;web\n2;31/12/2025;ads\n",
    "utf16le-bom.csv": b"\xff\xfe" + "id\tcreated_at\tsource\r\n1\t2026-01-05\tweb\r\n2\t2026-01-06\tads\r\n".encode("utf-16-le"),
    "utf16be-bom.csv": b"\xfe\xff" + "id,created_at\n1,2026-01-05\n".encode("utf-16-be"),
    "nul-bytes.csv": b"id,created_at\n1\x00,2026-01-05\n\x00\x00,\x00\n",
    "cp1252.csv": b"id;origem;created_at\n1;Promo\xe7\xe3o;2026-01-05\n2;Caf\xe9;2026-01-06\n",
    "text-after-quote.csv": b'id,name\n1,"Ana"x,y\n2,"Bia"\n3,"multi\nline"tail\n4,ok\n',
    "stray-quote-spans.csv": b'id,name,created_at\n1,Ana "the,2026-01-05\n2,"Bia,2026-01-06\n3,Cy",2026-01-07\n',
    "trailing-delimiter.csv": b"id,created_at,\n1,2026-01-05,\n2,2026-01-06,\n",
    "ragged.csv": b"id,a,b\n1,2\n1,2,3,4\n\n,,\n5,6,7\n",
    "title-and-footer.csv": b'"Leads report"\nid,created_at,source\n1,2026-01-05,web\n2,2026-01-06,ads\n,,\n"Copyright 2026 Salesforce, Inc. All rights reserved.",,\n"Confidential Information - Do Not Distribute",,\n',
    "pipe-tab.csv": b"id|created_at|owner\n1|2026-01-05 10:00|Ana\n2|2026-01-06T11:00:00-03:00|Bo\n",
    "dates-mixed.csv": b"id,created_at,mql_at,prospect_at\n1,31/12/2025,2025-13-01,12/31/2025\n2,1767225600,1767225600000,2026-03-08T02:30:00\n3,01.10.2026 08:00,2026.10.01,3/4/26 2:30 PM\n",
    "dst-gap.csv": b"id,created_at,handoff_at,first_touch_at\n1,2026-03-08T02:30:00,2026-03-08 01:59,2026-03-08 03:00\n2,2026-11-01 01:30,2026-11-01T01:30:00-04:00,2026-11-01T01:30:00-05:00\n",
    "duplicate-ids.csv": b"id,created_at,prospect_at,source\n1,2026-01-05,,Web\n1,2026-01-06,2026-01-10,web\n2,bad,,Ads\n2,2026-01-07,,ads \n,2026-01-08,,\n",
    "only-header.csv": b"id,created_at\n",
    "one-column.csv": b"id\n1\n2\n\n3\n",
    "empty.csv": b"",
    "blank-lines.csv": b"\n\n\r\n \t\n",
    "long-field.csv": b"id,note\n1," + b"x" * 3000 + b"\n",
    "huge-numbers.csv": b"id,created_at\n123456789012345678901234567890,99999999999999\n1.2345678901E+15,00000000001\n",
}
for name, data in tricky_csv.items():
    csv_seeds[name] = data
for name, data in csv_seeds.items():
    write("fuzz_csv", name, data)

# ---------------------------------------------------------------- JSON seeds
json_seeds = {
    "array.json": '[{"id":"1","created_at":"2026-01-05T10:00:00Z","source":"web"},\n {"id":"2","created_at":"2026-01-06","source":"ads"}]\n',
    "ndjson.ndjson": '{"id":1,"created_at":"2026-01-05"}\n{"id":2,"created_at":"2026-01-06","owner":"Ana"}\r\n\n{"id":3}\n',
    "types.json": '[{"a": null, "b": true, "c": false, "d": "", "e": 1.5e300, "f": -0, "g": 12345678901234567890123}]',
    "escapes.json": '{"a": "say \\"hi\\"", "b": "tab\\there", "c": "caf\\u00e9", "d": "x\\/y", "e": "\\ud83d\\ude00"}\n',
    "nested.json": '[{"id":"1","tags":["ads","q1"],"meta":{"k":"v"},"empty":[],"deep":{"a":{"b":["c"]}}}]',
    "deep-nesting.json": '[{"id":"1","x":' + "[" * 70 + "]" * 70 + "}]",
    "very-deep.json": "[" * 200 + "]" * 200,
    "duplicate-keys.json": '[{"id":"1","id":"2"},{"id":"3","a":{"b":1,"b":2}}]',
    "huge-numbers.json": '[{"id":123456789012345678901234567890,"n":1e999,"m":-1e-999,"created_at":1767225600000}]',
    "unclosed-array.json": '[{"id":"1"},\n{"id":"2"}\n',
    "unclosed-string.json": '[{"id":"1"},\n{"id":"2\n',
    "missing-comma.json": '[{"id":"1"}\n{"id":"2"}]',
    "scalars.json": '[1, "two", null, {"id":"3"}, [4]]',
    "top-scalar.ndjson": '"just a string"\n42\n[1,2]\n{"id":"ok"}\n',
    "bad-line.ndjson": '{"id":"1"}\n{"id":"2",}\n{id:3}\n{"id":"4"}\n',
    "bom.json": "\ufeff" + '[{"id":"1"}]',
    "utf16.json": b"\xff\xfe" + '[{"id":"1","name":"Ana"}]'.encode("utf-16-le"),
    "nul.ndjson": b'{"id":"1\x00"}\n\x00\n{"id":"2"}\n',
    "invalid-utf8.json": b'[{"id":"1","name":"\xc3\x28\xff"}]',
    "empty.json": "",
    "whitespace.json": " \n\t\r\n",
    "comments.json": '[{"id":"1"} // a comment\n]',
    "many-columns.json": "[" + ",".join('{"k%d":"%d"}' % (i, i) for i in range(50)) + "]",
}
for name, data in json_seeds.items():
    write("fuzz_json", name, data)

# ---------------------------------------------------------------- timestamps
# The first byte: bits 0-1 the date order (0 none, 1 dmy, 2 mdy, 3 ymd),
# bits 2-4 the zone (0 UTC, 1 America/Sao_Paulo, 2 America/New_York,
# 3 Asia/Kolkata, 4 Australia/Lord_Howe, 5 Europe/London, 6 Pacific/Apia,
# 7 America/St_Johns).
def ctl(order=0, zone=0):
    return bytes([order | (zone << 2)])

timestamps = [
    (0, 0, "2026-03-01T14:00:00Z"), (0, 0, "2026-03-01"), (0, 1, "2026-03-01 11:00"),
    (0, 2, "2026-03-08T02:30:00"), (0, 2, "2026-11-01 01:30"), (0, 2, "2026-03-08"),
    (0, 0, "2026-03-01T14:00:00.123+05:30"), (0, 0, "2026-03-01T14:00-03:00"), (0, 0, "2026-03-01 14:00 UTC"),
    (0, 0, "2026-03-01T14:00:00+0530"), (0, 0, "2026-03-01T14:00:00-03"), (0, 0, "2026-02-30"),
    (0, 0, "2024-02-29T24:00"), (0, 0, "2025-13-01"), (0, 0, "1767225600"), (0, 0, "1767225600000"),
    (0, 0, "99999999999999"), (0, 0, "123"), (1, 0, "31/12/2025"), (2, 0, "12/31/2025"), (1, 0, "01.10.2026 08:00"),
    (2, 2, "3/4/26 2:30 PM"), (3, 0, "2026.10.01"), (1, 1, "15/03/2024 2:30 p.m."), (0, 0, "31/12/2025"),
    (1, 0, "31-12-25 23:59:59"), (2, 0, "12/31/69"), (0, 0, "0000-01-01T00:00:00+01:00"),
    (0, 0, "9999-12-31T23:59:59-05:00"), (0, 6, "2011-12-30"), (0, 6, "2011-12-30 10:00"), (0, 4, "2026-04-05 01:45"),
    (0, 7, "2026-03-08T02:00"), (0, 3, "2026-01-01T00:00:00,5"),
    (0, 0, " 2026-03-01T14:00:00Z "), (0, 0, "2026-03-01T14:00:00z"), (0, 0, "2026-03-01t14:00"),
]
for i, (order, zone, text) in enumerate(timestamps):
    write("fuzz_timestamp", f"ts-{i:02d}", ctl(order, zone) + text.encode())
for i, text in enumerate(["90d", "1h30m", "2w", "45m", "30s", "0s", "1000000000w", "4h 30m", " 3d ", "1d1d1d"]):
    write("fuzz_timestamp", f"duration-{i:02d}", text)

# ---------------------------------------------------------------- agreements
agreements = sorted((ROOT / "tests" / "fixtures" / "sla").glob("*.json")) + [
    ROOT / "tests" / "fixtures" / "cli" / "unknown_key.json", ROOT / "data" / "agreement.json"]
for p in agreements:
    write("fuzz_agreement", f"{p.parent.name}-{p.name}", p.read_bytes())
write("fuzz_agreement", "holidays.ics", (ROOT / "tests" / "fixtures" / "sla" / "holidays.ics").read_bytes())
tricky_agreements = {
    "ics.json": '{"calendars":{"c":{"hours":{"every day":"00:00-24:00"},"holidays_ics":"holidays.ics"}}}',
    "havana.json": '{"timezone":"America/Havana","calendars":{"c":{"hours":{"mon-fri":["09:00-18:00"]}}},'
                   '"targets":[{"name":"t","owner":"sales","from":"handoff","to":"first_touch","within":"1h","calendar":"c","target":"90%"}]}',
    "dup-key.json": '{"timezone":"UTC","timezone":"UTC"}',
    "nested-dup.json": '{"calendars":{"a":{"hours":{"mon":"09:00-10:00","mon":"10:00-11:00"}}}}',
    "share-forms.json": '{"targets":[{"name":"a","owner":"sales","type":"clock","from":"handoff_at","to":"first_touch_at","within":"4h","target":"nan%"},'
                        '{"name":"b","owner":"shared","at_least":1e300},{"name":"c","owner":"marketing","per":"week","stage":"mql","at_least":18446744073709551615}]}',
    "big-window.json": '{"window":"1000000000w1000000000w"}',
    "stages.json": '{"stages":{"mql":{"flag":"Is MQL"},"prospect":[{"column":"Status","in":["Connected","SQL"]}],"won":{"column":"x","in":[]}}}',
    "holidays.json": '{"calendars":{"br":{"timezone":"America/Sao_Paulo","hours":{"mon-fri":["09:00-12:00","13:00-18:00"],"sat":"24:00-24:00"},'
                     '"holidays":["2026-02-30","2026-12-25"," 202-01-01"]}}}',
    "comments.json": '/* block */ {\n // line\n "date_order": "dmy", "window": "90d" }',
    "deep.json": "[" * 100 + "]" * 100,
    "not-object.json": '"just a string"',
    "empty.json": "",
    "lord-howe.json": '{"timezone":"Australia/Lord_Howe","calendars":{"c":{"hours":{"sun":["01:30-02:30"]}}}}',
    "columns.json": '{"columns":{"id":"Record ID","created_at":"Create Date","bogus":"x"}}',
}
for name, data in tricky_agreements.items():
    write("fuzz_agreement", name, data)

# ---------------------------------------------------------------- whole load
# The first byte: bit 0 --strict, bits 1-2 duplicates (first/last/error),
# bit 3 --fold-case, bit 4 --by source --by month, bit 5 --window 90d,
# bit 6 --tz America/New_York, bit 7 the built-in agreement.
load_controls = [0x00, 0x80, 0x92, 0xE8, 0x01, 0x04, 0x22, 0x50]
for i, (name, data) in enumerate(sorted(csv_seeds.items())):
    write("fuzz_load", name, bytes([load_controls[i % len(load_controls)]]) + data)
for i, name in enumerate(["array.json", "ndjson.ndjson", "duplicate-keys.json", "nested.json"]):
    data = json_seeds[name]
    if isinstance(data, str):
        data = data.encode()
    write("fuzz_load", "json-" + name, bytes([load_controls[(i + 1) % len(load_controls)]]) + data)


def main():
    total = 0
    for d in sorted(OUT.iterdir()):
        files = list(d.iterdir())
        size = sum(f.stat().st_size for f in files)
        total += size
        print(f"{d.name}: {len(files)} seeds, {size} bytes")
    print(f"total: {total} bytes")


if __name__ == "__main__":
    main()
