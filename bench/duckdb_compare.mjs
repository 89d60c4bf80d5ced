// Runs the metrics of `leadfunnel report` in DuckDB on the same file, checks that
// both give the same numbers, and times both. Driven by bench/duckdb_compare.sh,
// which installs @duckdb/node-api into bench/.work/node_modules.
//
//   node bench/duckdb_compare.mjs --leads FILE [--deals FILE] [--format csv|ndjson]
//        [--shape single|two-file] --as-of 2026-07-01T04:00:00Z --config bench/agreement.json
//        --leadfunnel build-bench/leadfunnel [--runs 3] [--markdown OUT.md] [--json OUT.json]
//        [--query full|headline]
//
// --query full (the default) mirrors every number below. --query headline (one
// file, CSV or NDJSON) lets DuckDB do what an analyst's own query would: read the
// file with DuckDB's type detection (no placeholder cleaning) and compute only the
// headline numbers: conversion overall, by source and by month, and the clock
// targets (met, breached, pending, compliance, median and p90 delay). leadfunnel
// still computes its whole report; only those numbers are compared.
//
// What is compared (definitions: docs/metrics.md), and how closely:
//   - conversion: leads, prospects exactly, rate within 1e-9 (section 4);
//   - funnel: reached and implied per stage, exactly (sections 3, 5);
//   - breakdowns by source and by month (cut in the agreement's zone): leads and
//     prospects per segment exactly, rates within 1e-9 (section 8);
//   - time to convert, lead -> prospect and the five consecutive pairs: n and
//     negative_excluded exactly, median and p90 within 1 s (section 7);
//   - every clock target: met, breached, pending, no_start_event,
//     end_before_start exactly, rate within 1e-9, median and p90 delay within
//     1 s; on the wall clock and on a Monday-Friday working-hours calendar
//     (business time is mirrored exactly, see bsec() below) (section 15);
//   - speed to lead and sales response: n exactly, median and p90 within 1 s;
//   - the volume target's count per period and the rate target's leads and
//     reached, exactly.
//
// Each timed run is a separate process under /usr/bin/time: leadfunnel, and this
// script in --worker mode (a fresh in-memory DuckDB that reads the file and
// computes everything), so wall time, CPU and peak RSS are measured the same way.

import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';

const SELF = fileURLToPath(import.meta.url);

function parseArgs(argv) {
  const a = { format: 'csv', runs: 3, shape: null, query: 'full' };
  for (let i = 0; i < argv.length; i++) {
    const k = argv[i];
    const v = () => {
      if (i + 1 >= argv.length) throw new Error(`${k} needs a value`);
      return argv[++i];
    };
    switch (k) {
      case '--leads': a.leads = v(); break;
      case '--deals': a.deals = v(); break;
      case '--format': a.format = v(); break;
      case '--shape': a.shape = v(); break;
      case '--as-of': a.asOf = v(); break;
      case '--config': a.config = v(); break;
      case '--leadfunnel': a.leadfunnel = v(); break;
      case '--runs': a.runs = Number(v()); break;
      case '--markdown': a.markdown = v(); break;
      case '--json': a.json = v(); break;
      case '--label': a.label = v(); break;
      case '--worker': a.worker = true; break;
      case '--worker-out': a.workerOut = v(); break;
      case '--workdir': a.workdir = v(); break;
      case '--query': a.query = v(); break;
      default: throw new Error(`unknown argument ${k}`);
    }
  }
  a.shape ??= a.deals ? 'two-file' : 'single';
  for (const k of ['leads', 'asOf', 'config']) if (!a[k]) throw new Error(`--${k.replace('O', '-o')} is required`);
  if (!/(Z|[+-]\d\d:\d\d)$/.test(a.asOf)) throw new Error('--as-of must be an instant with Z or an offset');
  if (a.query !== 'full' && a.query !== 'headline') throw new Error('--query must be full or headline');
  if (a.query === 'headline' && a.shape !== 'single') throw new Error('--query headline reads one file (no --deals)');
  return a;
}

// ---------------------------------------------------------------------------
// The agreement: JSON with // and /* */ comments.
function readAgreement(file) {
  const s = fs.readFileSync(file, 'utf8');
  let out = '';
  for (let i = 0; i < s.length; i++) {
    const c = s[i];
    if (c === '"') {
      let j = i + 1;
      while (j < s.length && s[j] !== '"') j += s[j] === '\\' ? 2 : 1;
      out += s.slice(i, j + 1);
      i = j;
    } else if (c === '/' && s[i + 1] === '/') {
      while (i < s.length && s[i] !== '\n') i++;
      out += '\n';
    } else if (c === '/' && s[i + 1] === '*') {
      i = s.indexOf('*/', i + 2) + 1;
    } else out += c;
  }
  return JSON.parse(out);
}

function hm(s) {
  const m = /^(\d\d):(\d\d)$/.exec(s);
  if (!m) throw new Error(`bad time ${s}`);
  return Number(m[1]) * 3600 + Number(m[2]) * 60;
}

function durationSeconds(s) {
  const units = { w: 604800, d: 86400, h: 3600, m: 60, s: 1 };
  let total = 0;
  const re = /(\d+(?:\.\d+)?)([wdhms])/g;
  let m, used = 0;
  while ((m = re.exec(s))) { total += Number(m[1]) * units[m[2]]; used += m[0].length; }
  if (used !== s.length || total <= 0) throw new Error(`bad duration ${s}`);
  return total;
}

// What the DuckDB mirror supports of an agreement: clock targets on the wall
// clock or on a calendar with one "mon-fri" interval and no holidays, one volume
// target, one rate target (from lead). Anything else is refused, not guessed.
function planFromAgreement(ag) {
  const tz = ag.timezone ?? 'UTC';
  if (ag.columns || ag.stages || ag.window || ag.date_order)
    throw new Error('the DuckDB mirror supports agreements without columns, stages, window and date_order');
  const cals = {};
  for (const [name, c] of Object.entries(ag.calendars ?? {})) {
    if (c === '24x7') { cals[name] = null; continue; }
    const keys = Object.keys(c.hours ?? {});
    const iv = c.hours?.['mon-fri'];
    if (keys.length !== 1 || keys[0] !== 'mon-fri' || typeof iv !== 'string' || c.holidays || c.holidays_ics)
      throw new Error(`calendar ${name}: the DuckDB mirror supports one "mon-fri": "HH:MM-HH:MM" interval, no holidays`);
    const [a, b] = iv.split('-');
    cals[name] = { tz: c.timezone ?? tz, start: hm(a), end: b === '24:00' ? 86400 : hm(b) };
  }
  const clocks = [], volumes = [], rates = [];
  for (const t of ag.targets ?? []) {
    if (t.type === 'clock') {
      const ev = (e) => e.replace(/_at$/, '');
      if (ev(t.from) !== 'handoff' || ev(t.to) !== 'first_touch')
        throw new Error(`target ${t.name}: the DuckDB mirror supports handoff -> first_touch clocks`);
      const cal = t.calendar && t.calendar !== 'wall' ? cals[t.calendar] : null;
      clocks.push({ name: t.name, within: durationSeconds(t.within), cal, calName: t.calendar ?? 'wall' });
    } else if (t.type === 'volume') {
      if (t.per !== 'month') throw new Error(`target ${t.name}: only per month is mirrored`);
      volumes.push({ name: t.name, stage: t.stage });
    } else if (t.type === 'rate') {
      if ((t.from ?? 'lead') !== 'lead') throw new Error(`target ${t.name}: only from lead is mirrored`);
      rates.push({ name: t.name, to: t.to ?? 'prospect', window: t.window ? durationSeconds(t.window) : null });
    }
  }
  // The sales response uses the calendar of the first handoff -> first_touch clock target that
  // names a calendar, else the first calendar by name, else the wall clock (metrics.md section 15).
  let respCal = clocks.find((c) => c.calName !== 'wall');
  let response = respCal ? { cal: respCal.cal, calName: respCal.calName } : null;
  if (!response) {
    const names = Object.keys(cals).sort();
    response = names.length ? { cal: cals[names[0]], calName: names[0] } : { cal: null, calName: 'wall' };
  }
  return { tz, clocks, volumes, rates, response };
}

// ---------------------------------------------------------------------------
// DuckDB side.

const HS = {
  id: 'Record ID', created: 'Create Date', mql: 'Became a Marketing Qualified Lead Date',
  handoff: 'Owner Assigned Date', touch: 'Date of first engagement',
  prospect: 'Became a Sales Qualified Lead Date', opp: 'Became an Opportunity Date',
  won: 'Became a Customer Date', source: 'Original Source', lifecycle: 'Lifecycle Stage',
};
const HS_COLUMNS = [
  'Record ID', 'First Name', 'Last Name', 'Email', 'Create Date', 'Lifecycle Stage', 'Lead Status',
  'Original Source', 'Original Source Drill-Down 1', 'Contact owner',
  'Became a Marketing Qualified Lead Date', 'Owner Assigned Date', 'Date of first engagement',
  'Became a Sales Qualified Lead Date', 'Became an Opportunity Date', 'Became a Customer Date', 'Notes',
];
const LEADS_COLUMNS = ['lead_id', 'first_name', 'last_name', 'email', 'created_at', 'lead_status', 'source',
  'campaign', 'owner', 'mql_at', 'handoff_at', 'first_touch_at', 'notes'];
const DEALS_COLUMNS = ['deal_id', 'lead_id', 'created_at', 'owner', 'stage', 'opportunity_at', 'won_at',
  'lost_at', 'amount'];

const q = (s) => `'${String(s).replaceAll("'", "''")}'`;
const ident = (s) => `"${String(s).replaceAll('"', '""')}"`;

function reader(file, format, columns) {
  if (format === 'csv')
    return `read_csv(${q(file)}, header = true, all_varchar = true, delim = ',', quote = '"', escape = '"')`;
  const cols = columns.map((c) => `${q(c)}: 'VARCHAR'`).join(', ');
  return `read_json(${q(file)}, format = 'newline_delimited', columns = {${cols}})`;
}

// Business seconds from a fixed Monday to the instant `x` (epoch seconds) on a Monday-Friday
// calendar with one daily interval [S, E) in zone TZ: convert to local wall-clock time with ICU
// (the zone's real rules), then count whole weeks, whole working days and the part of today.
// Exact: a working interval never contains a daylight-saving jump (they happen at night), so
// local-clock seconds inside working hours are real seconds.
const localSql = (x, cal) => `(epoch(timezone(${q(cal.tz)}, to_timestamp(${x})))::BIGINT)`;
function bsecSql(x, cal) {
  return bsecLocalSql(localSql(x, cal), cal);
}
// The same from local wall-clock seconds `ls` (a column, so the zone conversion runs once).
function bsecLocalSql(ls, cal) {
  const W = cal.end - cal.start;
  const d = `(${ls} // 86400)`;
  const dow = `((${d} + 3) % 7)`; // 1970-01-01 was a Thursday; 0 = Monday
  const tod = `(${ls} - ${d} * 86400)`;
  return `(((${d} - ${dow}) // 7) * ${5 * W} + least(${dow}, 5) * ${W} + ` +
    `CASE WHEN ${dow} < 5 THEN least(greatest(${tod} - ${cal.start}, 0), ${W}) ELSE 0 END)`;
}
// Whether the local time of `x` is inside a working interval or exactly at its end, i.e. the
// business clock was running just before it (then an as-of at exactly the due time is pending).
function inWorkSql(x, cal) {
  const ls = localSql(x, cal);
  const d = `(${ls} // 86400)`;
  const tod = `(${ls} - ${d} * 86400)`;
  return `(((${d} + 3) % 7) < 5 AND ${tod} > ${cal.start} AND ${tod} <= ${cal.end})`;
}

async function duckdbRun(a, plan) {
  const t0 = performance.now();
  // @duckdb/node-api lives in bench/.work/node_modules (installed by duckdb_compare.sh), or in
  // the folder named by $DUCKDB_NODE_DIR.
  const modDir = process.env.DUCKDB_NODE_DIR ?? path.join(path.dirname(SELF), '.work');
  const req = createRequire(path.join(modDir, 'package.json'));
  const { DuckDBInstance } = await import(pathToFileURL(req.resolve('@duckdb/node-api')).href);
  const inst = await DuckDBInstance.create(':memory:');
  const con = await inst.connect();
  const trace = process.env.DUCKDB_COMPARE_TRACE ? (t, sql) => process.stderr.write(
    `${(performance.now() - t).toFixed(0).padStart(6)} ms  ${sql.replace(/\s+/g, ' ').slice(0, 90)}\n`) : () => {};
  const run = async (sql) => { const t = performance.now(); await con.run(sql); trace(t, sql); };
  const rows = async (sql) => {
    const t = performance.now();
    const r = await con.runAndReadAll(sql);
    trace(t, sql);
    return r.getRowObjectsJS().map((o) => Object.fromEntries(Object.entries(o).map(([k, v]) =>
      [k, typeof v === 'bigint' ? Number(v) : v])));
  };
  const meta = (await rows(`SELECT version() AS v, current_setting('threads') AS t`))[0];
  const tModule = performance.now();
  const A = Math.round(Date.parse(a.asOf) / 1000);

  await run(`SET TimeZone = 'UTC'`);
  // A cell that means "no value" (leadfunnel's is_placeholder), else the trimmed text.
  await run(`CREATE MACRO val(x) AS CASE WHEN lower(trim(x, ' \t\r\n')) IN
      ('', '-', '--', 'n/a', '#n/a', 'na', 'null', '(no value)', 'select', '(none)', 'none', '(blank)')
      OR x IS NULL THEN NULL ELSE trim(x, ' \t\r\n') END`);
  // A timestamp cell as epoch seconds (every generated value has an offset or Z).
  await run(`CREATE MACRO ts(x) AS epoch(CAST(val(x) AS TIMESTAMPTZ))::BIGINT`);

  const headline = a.query === 'headline';
  if (headline) {
    // DuckDB's own type detection: dates with an offset are TIMESTAMP WITH TIME ZONE, blanks NULL.
    const c = (k) => ident(HS[k]);
    const t = (k) => `epoch(${c(k)})::BIGINT`;
    const from = a.format === 'csv' ? `read_csv(${q(a.leads)}, header = true)` : `read_json(${q(a.leads)}, format = 'newline_delimited')`;
    await run(`CREATE TABLE L AS SELECT ${c('id')}::VARCHAR AS id, ${t('created')} AS created, ${t('mql')} AS mql_at,
        ${t('handoff')} AS handoff_at, ${t('touch')} AS touch_at, ${t('prospect')} AS prospect_at,
        ${t('opp')} AS opp_at, ${t('won')} AS won_at, ${c('source')} AS source, lower(${c('lifecycle')}) AS lifecycle
      FROM ${from}`);
  } else if (a.shape === 'single') {
    const c = (k) => ident(HS[k]);
    await run(`CREATE TABLE L AS SELECT
        val(${c('id')}) AS id, ts(${c('created')}) AS created, ts(${c('mql')}) AS mql_at,
        ts(${c('handoff')}) AS handoff_at, ts(${c('touch')}) AS touch_at,
        ts(${c('prospect')}) AS prospect_at, ts(${c('opp')}) AS opp_at, ts(${c('won')}) AS won_at,
        val(${c('source')}) AS source, lower(val(${c('lifecycle')})) AS lifecycle
      FROM ${reader(a.leads, a.format, HS_COLUMNS)}`);
  } else {
    await run(`CREATE TABLE D AS SELECT val(lead_id) AS lead_id, ts(created_at) AS created,
        ts(opportunity_at) AS opp, ts(won_at) AS won
      FROM ${reader(a.deals, a.format, DEALS_COLUMNS)}`);
    // In the prospects file created_at is the prospect date; per stage the earliest over the
    // lead's rows wins; a date after as-of is ignored (metrics.md section 9).
    await run(`CREATE TABLE L AS SELECT val(l.lead_id) AS id, ts(l.created_at) AS created,
        ts(l.mql_at) AS mql_at, ts(l.handoff_at) AS handoff_at, ts(l.first_touch_at) AS touch_at,
        d.prospect_at, d.opp_at, d.won_at, val(l.source) AS source, NULL::VARCHAR AS lifecycle
      FROM ${reader(a.leads, a.format, LEADS_COLUMNS)} l
      LEFT JOIN (SELECT lead_id, min(created) FILTER (created <= ${A}) AS prospect_at,
                        min(opp) FILTER (opp <= ${A}) AS opp_at, min(won) FILTER (won <= ${A}) AS won_at
                 FROM D GROUP BY lead_id) d ON d.lead_id = val(l.lead_id)`);
  }
  const tLoad = performance.now();

  // Stage timestamps after as-of have not happened (section 3); the cohort is every lead
  // created on or before as-of, or with no creation date (section 2; the benchmark uses no
  // --from, --to or --window).
  const rule = (vals) => `coalesce(lifecycle IN (${vals.map(q).join(', ')}), false)`;
  await run(`CREATE TABLE A AS SELECT id, created, source,
      CASE WHEN mql_at <= ${A} THEN mql_at END AS mql,
      CASE WHEN handoff_at <= ${A} THEN handoff_at END AS handoff,
      CASE WHEN touch_at <= ${A} THEN touch_at END AS touch,
      CASE WHEN prospect_at <= ${A} THEN prospect_at END AS prospect,
      CASE WHEN opp_at <= ${A} THEN opp_at END AS opp,
      CASE WHEN won_at <= ${A} THEN won_at END AS won,
      ${rule(['marketing qualified lead', 'marketingqualifiedlead'])} AS r_mql,
      ${rule(['sales qualified lead', 'salesqualifiedlead'])} AS r_prospect,
      ${rule(['opportunity'])} AS r_opp,
      ${rule(['customer', 'evangelist'])} AS r_won
    FROM L`);
  // Reach times (earliest of the stage's own and all later stage dates), reached directly (d_*)
  // and "ever reached" (x_*: this stage or any later one), and, once per calendar, the business
  // seconds of the hand-off and the first touch.
  const cals = [...new Set([...plan.clocks.map((c) => c.cal), plan.response.cal].filter(Boolean))];
  const bcol = (cal, x) => `b${cals.indexOf(cal)}_${x}`;
  const lcol = (cal, x) => `l${cals.indexOf(cal)}_${x}`;
  const lcols = cals.flatMap((cal) => ['handoff', 'touch'].map((x) => `CASE WHEN ${x} IS NOT NULL THEN ${localSql(x, cal)} END AS ${lcol(cal, x)}`));
  const bcols = cals.flatMap((cal) => ['handoff', 'touch'].map((x) => `${bsecLocalSql(lcol(cal, x), cal)} AS ${bcol(cal, x)}`));
  await run(`CREATE TABLE C AS SELECT *,
      least(mql, handoff, prospect, opp, won) AS mql_r,
      least(handoff, prospect, opp, won) AS handoff_r,
      least(prospect, opp, won) AS prospect_r,
      least(opp, won) AS opp_r,
      won AS won_r,
      (mql IS NOT NULL OR r_mql) AS d_mql,
      (handoff IS NOT NULL) AS d_handoff,
      (prospect IS NOT NULL OR r_prospect) AS d_prospect,
      (opp IS NOT NULL OR r_opp) AS d_opp,
      (won IS NOT NULL OR r_won) AS d_won,
      (won IS NOT NULL OR r_won) AS x_won,
      (coalesce(opp, won) IS NOT NULL OR r_opp OR r_won) AS x_opp,
      (coalesce(prospect, opp, won) IS NOT NULL OR r_prospect OR r_opp OR r_won) AS x_prospect,
      (coalesce(handoff, prospect, opp, won) IS NOT NULL OR r_prospect OR r_opp OR r_won) AS x_handoff,
      (coalesce(mql, handoff, prospect, opp, won) IS NOT NULL OR r_mql OR r_prospect OR r_opp OR r_won) AS x_mql
      ${bcols.length ? ', ' + bcols.join(', ') : ''}
    FROM (SELECT *${lcols.length ? ', ' + lcols.join(', ') : ''} FROM A WHERE coalesce(created <= ${A}, true))`);

  const out = { duckdb_version: meta.v, duckdb_threads: Number(meta.t) };
  const conv = (await rows(`SELECT count(*) AS leads, count(*) FILTER (x_prospect) AS prospects FROM C`))[0];
  out.conversion = { leads: conv.leads, prospects: conv.prospects, rate: conv.leads ? conv.prospects / conv.leads : null };

  const stages = ['mql', 'handoff', 'prospect', 'opp', 'won'];
  const fsel = stages.map((s) => `count(*) FILTER (x_${s}) AS ${s}_reached, count(*) FILTER (x_${s} AND NOT d_${s}) AS ${s}_implied`).join(', ');
  if (!headline) {
    const f = (await rows(`SELECT count(*) AS lead_reached, ${fsel} FROM C`))[0];
    out.funnel = [{ stage: 'lead', reached: f.lead_reached, implied: 0 }].concat(stages.map((s) => ({
      stage: s === 'opp' ? 'opportunity' : s, reached: f[`${s}_reached`], implied: f[`${s}_implied`],
    })));
  }

  const seg = async (keyExpr) => {
    const r = await rows(`SELECT ${keyExpr} AS key, count(*) AS leads, count(*) FILTER (x_prospect) AS prospects
                          FROM C GROUP BY ALL`);
    return r.map((o) => ({ key: o.key, leads: o.leads, prospects: o.prospects, rate: o.leads ? o.prospects / o.leads : null }));
  };
  out.breakdowns = {
    source: await seg('source'),
    month: await seg(`strftime(timezone(${q(plan.tz)}, to_timestamp(created)), '%Y-%m')`),
  };

  // Time to convert (section 7): quantile_cont is linear interpolation (Hyndman-Fan 7).
  const stat = async (fromX, toX, where) => (await rows(`SELECT
        count(*) FILTER (d >= 0) AS n, count(*) FILTER (d < 0) AS negative_excluded,
        quantile_cont(d / 3600.0, 0.5) FILTER (d >= 0) AS median_hours,
        quantile_cont(d / 3600.0, 0.9) FILTER (d >= 0) AS p90_hours
      FROM (SELECT ${toX} - ${fromX} AS d FROM C WHERE ${where})`))[0];
  if (!headline) out.time_to_convert = await stat('created', 'prospect_r', 'x_prospect AND prospect_r IS NOT NULL');
  const pairs = [['lead', 'created', 'mql', 'mql'], ['mql', 'mql', 'handoff', 'handoff'],
    ['handoff', 'handoff', 'prospect', 'prospect'], ['prospect', 'prospect', 'opportunity', 'opp'],
    ['opportunity', 'opp', 'won', 'won']];
  if (!headline) out.time_to_convert.stages = [];
  for (const [fn, fc, tn, tc] of headline ? [] : pairs) {
    const s = await stat(fc, tc, `${fc} IS NOT NULL AND ${tc} IS NOT NULL`);
    out.time_to_convert.stages.push({ from: fn, to: tn, ...s });
  }

  // Clock targets (section 15): cohort leads with the start event by as-of; an end after as-of is
  // no end; an end before the start is met with delay 0; met when delay <= within; without an end,
  // breached once as-of is after the due time (the first moment the limit has run out).
  out.clocks = [];
  for (const ck of plan.clocks) {
    const L = ck.within;
    let delay, overdue;
    if (!ck.cal) {
      delay = 'touch - handoff';
      overdue = `${A} - handoff > ${L}`;
    } else {
      delay = `${bcol(ck.cal, 'touch')} - ${bcol(ck.cal, 'handoff')}`;
      const D = `(${bsecSql(A, ck.cal)} - ${bcol(ck.cal, 'handoff')})`;
      overdue = `(${D} > ${L} OR (${D} = ${L} AND NOT ${inWorkSql(A, ck.cal)}))`;
    }
    const r = (await rows(`WITH m AS (
        SELECT touch IS NOT NULL AS has_end, touch < handoff AS ebs,
               CASE WHEN touch IS NULL THEN NULL WHEN touch < handoff THEN 0 ELSE ${delay} END AS delay,
               CASE WHEN touch IS NULL THEN ${overdue} END AS overdue
        FROM C WHERE handoff IS NOT NULL)
      SELECT count(*) FILTER (has_end AND delay <= ${L}) AS met,
             count(*) FILTER ((has_end AND delay > ${L}) OR (NOT has_end AND overdue)) AS breached,
             count(*) FILTER (NOT has_end AND NOT overdue) AS pending,
             count(*) FILTER (ebs) AS end_before_start,
             quantile_cont(delay / 3600.0, 0.5) AS median_hours,
             quantile_cont(delay / 3600.0, 0.9) AS p90_hours,
             (SELECT count(*) FROM C WHERE handoff IS NULL) AS no_start_event
      FROM m`))[0];
    r.rate = r.met + r.breached ? r.met / (r.met + r.breached) : null;
    out.clocks.push({ name: ck.name, clock: ck.calName, ...r });
  }

  // Speed to lead (wall) and sales response (response calendar); touches before the start are
  // left out (section 15).
  const resp = async (fromX, cal) => {
    const d = cal ? `${bcol(cal, 'touch')} - ${bcol(cal, fromX)}` : `touch - ${fromX}`;
    return (await rows(`SELECT count(*) AS n, quantile_cont(d / 3600.0, 0.5) AS median_hours,
        quantile_cont(d / 3600.0, 0.9) AS p90_hours
      FROM (SELECT ${d} AS d FROM C WHERE ${fromX} IS NOT NULL AND touch IS NOT NULL AND touch >= ${fromX})`))[0];
  };
  if (!headline)
    out.response = { speed_to_lead: await resp('created', null), sales_response: await resp('handoff', plan.response.cal) };

  // Volume targets: every loaded lead, counted in the month of its dated reach time.
  out.volumes = [];
  for (const v of headline ? [] : plan.volumes) {
    const col = { lead: 'created', mql: 'least(mql, handoff, prospect, opp, won)', handoff: 'least(handoff, prospect, opp, won)',
      prospect: 'least(prospect, opp, won)', opportunity: 'least(opp, won)', won: 'won' }[v.stage];
    const r = await rows(`SELECT strftime(timezone(${q(plan.tz)}, to_timestamp(t)), '%Y-%m') AS period, count(*) AS count
      FROM (SELECT ${col} AS t FROM A) WHERE t IS NOT NULL AND t <= ${A} GROUP BY ALL ORDER BY 1`);
    out.volumes.push({ name: v.name, periods: r });
  }
  // Rate targets from lead: mature when created + window <= as-of; reached within the window.
  out.rates = [];
  for (const rt of headline ? [] : plan.rates) {
    const to = { prospect: ['x_prospect', 'prospect_r'], opportunity: ['x_opp', 'opp_r'], won: ['x_won', 'won_r'],
      mql: ['x_mql', 'mql_r'], handoff: ['x_handoff', 'handoff_r'] }[rt.to];
    const W = rt.window;
    const r = (await rows(W === null
      ? `SELECT count(*) AS leads, count(*) FILTER (${to[0]}) AS reached FROM C`
      : `SELECT count(*) FILTER (created + ${W} <= ${A}) AS leads,
                count(*) FILTER (created + ${W} <= ${A} AND ${to[1]} IS NOT NULL AND ${to[1]} - created <= ${W}) AS reached,
                count(*) FILTER (created + ${W} > ${A}) AS immature_leads
         FROM C`))[0];
    out.rates.push({ name: rt.name, ...r, result: r.leads ? r.reached / r.leads : null });
  }
  if (a.shape === 'two-file') {
    out.orphans = (await rows(`SELECT count(*) AS n FROM D WHERE lead_id NOT IN (SELECT id FROM L)`))[0].n;
  }
  const tEnd = performance.now();
  out.timing = { module_s: (tModule - t0) / 1000, load_s: (tLoad - tModule) / 1000, metrics_s: (tEnd - tLoad) / 1000,
    total_s: (tEnd - t0) / 1000 };
  out.rows = (await rows(`SELECT count(*) AS n FROM L`))[0].n;
  con.closeSync?.();
  return out;
}

// ---------------------------------------------------------------------------
// Driver.

// Reads the input files once, untimed, before each timed run of either
// tool, so that both start with them in the page cache whatever ran before
// (on the reference VM the cache keeps less than all the benchmark's
// inputs, and a run that reads from the disk measures the disk).
function warm(files) {
  const r = spawnSync('sh', ['-c', 'cat -- "$@" >/dev/null', 'warm', ...files], { stdio: 'ignore' });
  if (r.status !== 0) throw new Error(`cannot read ${files.join(', ')}`);
}

function timed(cmd, args, env) {
  const tf = path.join(os.tmpdir(), `lf-bench-time-${process.pid}.txt`);
  const r = spawnSync('/usr/bin/time', ['-f', '%e %U %S %M', '-o', tf, cmd, ...args],
    { stdio: ['ignore', 'ignore', 'pipe'], env: env ?? process.env, maxBuffer: 64 << 20 });
  const [wall, user, sys, rss] = fs.readFileSync(tf, 'utf8').trim().split('\n').pop().split(/\s+/).map(Number);
  fs.rmSync(tf, { force: true });
  return { status: r.status, stderr: r.stderr.toString(), wall, cpu: user + sys, rss_mb: rss / 1024 };
}

const median = (xs) => {
  const s = [...xs].sort((x, y) => x - y);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

function compare(lf, dk, plan) {
  const rows = [];
  let bad = 0;
  const add = (name, a, b, ok, note = '') => {
    if (!ok) bad++;
    rows.push({ name, lf: a, dk: b, ok, note });
  };
  const eq = (name, a, b) => add(name, a, b, a === b);
  const near = (name, a, b, tol) => add(name, a, b, (a === null && b === null) || (a !== null && b !== null && Math.abs(a - b) <= tol));
  const hours = (name, a, b) => near(name, a, b, 1 / 3600); // within one second

  eq('conversion.leads', lf.conversion.leads, dk.conversion.leads);
  eq('conversion.prospects', lf.conversion.prospects, dk.conversion.prospects);
  near('conversion.rate', lf.conversion.rate, dk.conversion.rate, 1e-9);
  for (const st of dk.funnel ? lf.funnel : []) {
    const d = dk.funnel.find((x) => x.stage === st.stage);
    eq(`funnel.${st.stage}.reached`, st.reached, d?.reached);
    eq(`funnel.${st.stage}.implied`, st.implied, d?.implied);
  }
  for (const by of ['source', 'month']) {
    const L = lf.breakdowns[by] ?? [], D = new Map(dk.breakdowns[by].map((s) => [s.key, s]));
    let mism = [];
    for (const s of L) {
      const d = D.get(s.key);
      if (!d || d.leads !== s.leads || d.prospects !== s.prospects ||
          (s.rate === null) !== (d.rate === null) || Math.abs((s.rate ?? 0) - (d.rate ?? 0)) > 1e-9)
        mism.push(`${s.key}: ${s.prospects}/${s.leads} vs ${d ? `${d.prospects}/${d.leads}` : 'missing'}`);
    }
    for (const k of D.keys()) if (!L.some((s) => s.key === k)) mism.push(`${k}: missing in leadfunnel`);
    add(`breakdowns.${by} (leads, prospects, rate per segment)`, `${L.length} segments`, `${D.size} segments`,
      mism.length === 0, mism.slice(0, 5).join('; '));
  }
  const ttc = (name, a, b) => {
    eq(`${name}.n`, a.n, b.n);
    eq(`${name}.negative_excluded`, a.negative_excluded, b.negative_excluded);
    hours(`${name}.median_hours`, a.median_hours, b.median_hours);
    hours(`${name}.p90_hours`, a.p90_hours, b.p90_hours);
  };
  if (dk.time_to_convert) ttc('time_to_convert', lf.time_to_convert, dk.time_to_convert);
  for (const s of dk.time_to_convert ? lf.time_to_convert.stages : []) {
    const d = dk.time_to_convert.stages.find((x) => x.from === s.from && x.to === s.to);
    ttc(`time_to_convert.${s.from}->${s.to}`, s, d);
  }
  const targets = lf.sla.targets;
  for (const c of dk.clocks) {
    const t = targets.find((x) => x.name === c.name);
    const p = `sla["${c.name}"]`;
    eq(`${p}.clock`, t?.clock, c.clock);
    for (const k of ['met', 'breached', 'pending', 'no_start_event', 'end_before_start']) eq(`${p}.${k}`, t?.[k], c[k]);
    near(`${p}.rate`, t?.rate ?? null, c.rate, 1e-9);
    hours(`${p}.median_hours`, t?.median_hours ?? null, c.median_hours);
    hours(`${p}.p90_hours`, t?.p90_hours ?? null, c.p90_hours);
  }
  for (const k of dk.response ? ['speed_to_lead', 'sales_response'] : []) {
    const a = lf.sla.response?.[k], b = dk.response[k];
    eq(`sla.response.${k}.n`, a?.n, b.n);
    hours(`sla.response.${k}.median_hours`, a?.median_hours ?? null, b.median_hours);
    hours(`sla.response.${k}.p90_hours`, a?.p90_hours ?? null, b.p90_hours);
  }
  for (const v of dk.volumes) {
    const t = targets.find((x) => x.name === v.name);
    const D = new Map(v.periods.map((p) => [p.period, p.count]));
    const mism = [];
    for (const p of t?.periods ?? []) if ((D.get(p.period) ?? 0) !== p.count) mism.push(`${p.period}: ${p.count} vs ${D.get(p.period) ?? 0}`);
    for (const k of D.keys()) if (!(t?.periods ?? []).some((p) => p.period === k)) mism.push(`${k}: missing in leadfunnel`);
    add(`sla["${v.name}"] count per month`, `${t?.periods?.length} periods`, `${D.size} periods`, mism.length === 0, mism.slice(0, 5).join('; '));
  }
  for (const r of dk.rates) {
    const t = targets.find((x) => x.name === r.name);
    eq(`sla["${r.name}"].leads`, t?.leads, r.leads);
    eq(`sla["${r.name}"].reached`, t?.reached, r.reached);
    if (r.immature_leads !== undefined) eq(`sla["${r.name}"].immature_leads`, t?.immature_leads, r.immature_leads);
    near(`sla["${r.name}"].result`, t?.result ?? null, r.result, 1e-9);
  }
  if (dk.orphans !== undefined) eq('input.orphans', lf.input.orphans, dk.orphans);
  eq('rows used (leads file)', lf.input.files[0].rows_used, dk.rows);
  return { rows, bad };
}

const fmtNum = (x) => (x === null || x === undefined ? 'null' : typeof x === 'number' && !Number.isInteger(x) ? x.toPrecision(12) : String(x));

async function main() {
  const a = parseArgs(process.argv.slice(2));
  const plan = planFromAgreement(readAgreement(a.config));
  if (a.worker) {
    const out = await duckdbRun(a, plan);
    fs.writeFileSync(a.workerOut, JSON.stringify(out));
    return;
  }
  if (!a.leadfunnel) throw new Error('--leadfunnel is required');
  const work = a.workdir ?? fs.mkdtempSync(path.join(os.tmpdir(), 'lf-duck-'));
  fs.mkdirSync(work, { recursive: true });
  const lfOut = path.join(work, 'leadfunnel-report.json');
  const dkOut = path.join(work, 'duckdb-result.json');
  const lfArgs = ['report', a.leads, ...(a.deals ? ['--prospects', a.deals] : []), '--config', a.config,
    '--by', 'source', '--by', 'month', '--format', 'json', '--as-of', a.asOf, '-o', lfOut];
  const dkArgs = [SELF, '--worker', '--worker-out', dkOut, '--leads', a.leads, ...(a.deals ? ['--deals', a.deals] : []),
    '--format', a.format, '--shape', a.shape, '--as-of', a.asOf, '--config', a.config, '--query', a.query];
  const lfRuns = [], dkRuns = [];
  for (let i = 0; i < a.runs; i++) {
    const inputs = [a.leads, ...(a.deals ? [a.deals] : [])];
    warm(inputs);
    const l = timed(a.leadfunnel, lfArgs);
    if (l.status !== 0) throw new Error(`leadfunnel exited ${l.status}: ${l.stderr}`);
    lfRuns.push(l);
    warm(inputs);
    const d = timed(process.execPath, dkArgs);
    if (d.status !== 0) throw new Error(`DuckDB worker exited ${d.status}: ${d.stderr}`);
    d.inner = JSON.parse(fs.readFileSync(dkOut, 'utf8')).timing;
    dkRuns.push(d);
    process.stderr.write(`run ${i + 1}/${a.runs}: leadfunnel ${l.wall.toFixed(2)} s, DuckDB ${d.wall.toFixed(2)} s\n`);
  }
  const lf = JSON.parse(fs.readFileSync(lfOut, 'utf8'));
  const dk = JSON.parse(fs.readFileSync(dkOut, 'utf8'));
  if (lf.input.rows_rejected !== 0) throw new Error(`leadfunnel rejected ${lf.input.rows_rejected} rows`);
  const expectMap = a.shape === 'single'
    ? { id: 'Record ID', created_at: 'Create Date', handoff_at: 'Owner Assigned Date', first_touch_at: 'Date of first engagement', source: 'Original Source' }
    : { id: 'lead_id', created_at: 'created_at', handoff_at: 'handoff_at', first_touch_at: 'first_touch_at', source: 'source' };
  for (const [f, col] of Object.entries(expectMap))
    if (lf.input.files[0].mapping[f]?.column !== col) throw new Error(`leadfunnel mapped ${f} to ${JSON.stringify(lf.input.files[0].mapping[f])}, expected ${col}`);

  const { rows, bad } = compare(lf, dk, plan);
  const w = Math.max(...rows.map((r) => r.name.length));
  console.log(`\n${'check'.padEnd(w)}  ${'leadfunnel'.padStart(20)}  ${'DuckDB'.padStart(20)}  result`);
  for (const r of rows) {
    console.log(`${r.name.padEnd(w)}  ${fmtNum(r.lf).padStart(20)}  ${fmtNum(r.dk).padStart(20)}  ${r.ok ? 'same' : 'DIFFERENT'}${r.note ? `  (${r.note})` : ''}`);
  }
  const m = (runs, k) => median(runs.map((r) => r[k]));
  const sum = {
    label: a.label ?? path.basename(a.leads),
    rows: dk.rows,
    file_mb: (fs.statSync(a.leads).size + (a.deals ? fs.statSync(a.deals).size : 0)) / 1e6,
    runs: a.runs,
    duckdb_version: dk.duckdb_version, duckdb_threads: dk.duckdb_threads, node_version: process.version,
    leadfunnel: { wall: m(lfRuns, 'wall'), cpu: m(lfRuns, 'cpu'), rss_mb: Math.max(...lfRuns.map((r) => r.rss_mb)) },
    duckdb: { wall: m(dkRuns, 'wall'), cpu: m(dkRuns, 'cpu'), rss_mb: Math.max(...dkRuns.map((r) => r.rss_mb)),
      in_process: median(dkRuns.map((r) => r.inner.load_s + r.inner.metrics_s)), load: median(dkRuns.map((r) => r.inner.load_s)),
      metrics: median(dkRuns.map((r) => r.inner.metrics_s)) },
    query: a.query, checks: rows.length, different: bad,
    differences: rows.filter((r) => !r.ok),
  };
  sum.ratio = sum.duckdb.wall / sum.leadfunnel.wall;
  console.log(`\n${rows.length - bad} of ${rows.length} checks give the same numbers${bad ? `; ${bad} DIFFERENT` : ''}.`);
  console.log(`leadfunnel: wall ${sum.leadfunnel.wall.toFixed(2)} s, CPU ${sum.leadfunnel.cpu.toFixed(2)} s, peak RSS ${sum.leadfunnel.rss_mb.toFixed(0)} MB`);
  console.log(`DuckDB ${sum.duckdb_version} (${sum.duckdb_threads} threads): wall ${sum.duckdb.wall.toFixed(2)} s ` +
    `(in process ${sum.duckdb.in_process.toFixed(2)} s: load ${sum.duckdb.load.toFixed(2)} s + metrics ${sum.duckdb.metrics.toFixed(2)} s), ` +
    `CPU ${sum.duckdb.cpu.toFixed(2)} s, peak RSS ${sum.duckdb.rss_mb.toFixed(0)} MB`);
  console.log(`ratio DuckDB / leadfunnel (wall, median of ${a.runs}): ${sum.ratio.toFixed(2)}`);
  if (a.json) fs.writeFileSync(a.json, JSON.stringify(sum, null, 2));
  if (a.markdown) {
    const md = [];
    md.push(`| file | rows | MB | tool | wall s | CPU s | peak RSS MB | rows/s |`);
    md.push(`|---|---:|---:|---|---:|---:|---:|---:|`);
    const line = (tool, r) => `| ${sum.label} | ${sum.rows.toLocaleString('en-US')} | ${sum.file_mb.toFixed(0)} | ${tool} | ${r.wall.toFixed(2)} | ${r.cpu.toFixed(2)} | ${r.rss_mb.toFixed(0)} | ${Math.round(sum.rows / r.wall).toLocaleString('en-US')} |`;
    md.push(line('leadfunnel', sum.leadfunnel));
    md.push(line(`DuckDB ${sum.duckdb_version} (node)`, sum.duckdb));
    md.push('');
    md.push(`**Ratio DuckDB / leadfunnel (wall time, median of ${a.runs} alternating runs): ${sum.ratio.toFixed(2)}**` +
      ` (${sum.ratio >= 1 ? `leadfunnel is ${sum.ratio.toFixed(2)}x faster` : `DuckDB is ${(1 / sum.ratio).toFixed(2)}x faster`}).` +
      ` DuckDB in-process time ${sum.duckdb.in_process.toFixed(2)} s (reading and parsing ${sum.duckdb.load.toFixed(2)} s, metrics ${sum.duckdb.metrics.toFixed(2)} s);` +
      ` the rest of its wall time is starting Node.js and loading the module.`);
    md.push('');
    md.push(`Numbers (${a.query === 'full' ? 'the whole report mirrored' : 'the headline numbers only; DuckDB computed nothing else'}): ` +
      `${rows.length - bad} of ${rows.length} checks give the same numbers` +
      (bad ? `; **${bad} differ**: ${summaryDiff(sum.differences)}.` : '.'));
    fs.writeFileSync(a.markdown, md.join('\n') + '\n');
  }
  process.exitCode = bad ? 1 : 0;
}

function summaryDiff(d) {
  return d.map((r) => `${r.name} (${fmtNum(r.lf)} vs ${fmtNum(r.dk)})`).join(', ');
}

main().catch((e) => {
  console.error(`duckdb_compare: ${e.message}`);
  process.exit(2);
});
