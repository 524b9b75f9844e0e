// Two `samkart serve` processes on one PostgreSQL database take survey
// submissions and imports at the same time, and a count afterwards shows
// that nothing was lost or duplicated:
//
//  - respondents answer one round through server A, through server B, and
//    hopping between them request by request (no sticky sessions); some
//    press «Send inn» twice: after «Takk», or at once (a double click, sent
//    to one server or to both);
//  - meanwhile `samkart import` (a child process) imports held-back export
//    files, and an administrator uploads two more on server B, one of them a
//    file the CLI import is importing too;
//  - then psql counts: held answers of the round = respondents thanked, no
//    draft left over, every held-back file stored exactly once with all its
//    rows, no content hash twice; both servers show the same count; closing
//    the round on B stores exactly that many respondents in one batch.
//
// Usage: node concurrency.mjs --samkart PATH --server DIR
//   DIR is the folder scripts/postgres_server.sh wrote its env file to (the
//   CTest fixture «postgres» starts the server). Fails, never skips, when
//   the server is not running.
import { spawn, execFile, execFileSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { promisify } from 'node:util';
import path from 'node:path';
import { answerSurvey, CookieJar } from '../support/survey_respondent.mjs';

const execFileAsync = promisify(execFile);
const RESPONDENTS_PER_SERVER = 40;
const HELD_BACK_FILES = 30;  // imported by the CLI while respondents answer

function argument(name) {
  const at = process.argv.indexOf(name);
  return at >= 0 ? process.argv[at + 1] : undefined;
}

class Failure extends Error {}
function fail(message) { throw new Failure(message); }
const failures = [];
function check(condition, message) {
  console.log(`  ${condition ? '✓' : '✗'} ${message}`);
  if (!condition) failures.push(message);
}

const samkart = argument('--samkart');
const serverDir = argument('--server');
if (!samkart || !existsSync(samkart)) {
  console.error(`FEIL: fant ikke samkart-programmet (${samkart}); bruk --samkart STI`);
  process.exit(1);
}
const envFile = serverDir && path.join(serverDir, 'env');
if (!envFile || !existsSync(envFile)) {
  console.error(`FEIL: fant ikke ${envFile ?? '--server MAPPE/env'}: PostgreSQL-tjeneren for testene kjører ikke. ` +
                'CTest-fixturen «postgres» starter den (scripts/postgres_server.sh start MAPPE); ' +
                'mangler PostgreSQL, kjør scripts/bootstrap.sh.');
  process.exit(1);
}
const env = Object.fromEntries(readFileSync(envFile, 'utf8').split('\n')
  .filter((line) => line.includes('=')).map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)]));
for (const key of ['SAMKART_PG_SUPERUSER_URL', 'SAMKART_PG_HOST', 'SAMKART_PG_PORT', 'SAMKART_PG_OWNER_PASSWORD',
                   'SAMKART_PG_APP_PASSWORD', 'SAMKART_PG_BINDIR']) {
  if (!env[key]) {
    console.error(`FEIL: ${envFile} mangler ${key}; start tjeneren på nytt med scripts/postgres_server.sh start`);
    process.exit(1);
  }
}

const database = `samkart_samtidig_${process.pid}_${randomBytes(4).toString('hex')}`;
const pgUrl = (user, password, db) =>
  `postgresql://${user}:${encodeURIComponent(password)}@${env.SAMKART_PG_HOST}:${env.SAMKART_PG_PORT}/${db}`;
const superuserUrl = (db) => { const u = new URL(env.SAMKART_PG_SUPERUSER_URL); u.pathname = `/${db}`; return u.href; };
const ownerUrl = pgUrl('samkart_owner', env.SAMKART_PG_OWNER_PASSWORD, database);
const appUrl = pgUrl('samkart_app', env.SAMKART_PG_APP_PASSWORD, database);

// psql as the superuser; rows as arrays of fields. Asynchronous: a blocked
// event loop would leave closed keep-alive connections looking reusable.
async function psql(sql, db = database) {
  try {
    const { stdout } = await execFileAsync(path.join(env.SAMKART_PG_BINDIR, 'psql'),
      ['-X', '-q', '-A', '-t', '-F', '\t', '-v', 'ON_ERROR_STOP=1', '-d', superuserUrl(db), '-c', sql], { encoding: 'utf8' });
    return stdout.split('\n').filter((line) => line !== '').map((line) => line.split('\t'));
  } catch (e) {
    fail(`psql: ${sql}: ${e.stderr || e.message}`);
  }
}
const count = async (sql) => Number((await psql(sql))[0][0]);

function run(db, args) {
  try {
    return execFileSync(samkart, db ? ['--db', db, ...args] : args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  } catch (e) {
    fail(`samkart ${args.join(' ')} feilet (kode ${e.status}): ${e.stderr || e.message}`);
  }
}

// A child process, not awaited until the end: its output and timing.
function runAsync(db, args) {
  return new Promise((resolve) => {
    const started = performance.now();
    const child = spawn(samkart, ['--db', db, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '', stderr = '';
    child.stdout.on('data', (d) => { stdout += d; });
    child.stderr.on('data', (d) => { stderr += d; });
    child.on('close', (code) => resolve({ code, stdout, stderr, started, ended: performance.now() }));
  });
}

const servers = [];
function startServer(label) {
  const child = spawn(samkart, ['--db', appUrl, 'serve', '--port', '0'], { stdio: ['ignore', 'pipe', 'pipe'] });
  const server = { label, child, log: '' };
  servers.push(server);
  child.stderr.on('data', (d) => { server.log += d; });
  child.on('exit', (code, signal) => { server.exited = signal ?? `kode ${code}`; });
  return new Promise((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Failure(`server ${label} startet ikke innen 60 s: ${server.log}`)), 60000);
    child.stdout.on('data', (d) => {
      out += d;
      const m = /Samkart kjører på (http:\/\/[\d.]+:\d+)\//.exec(out);
      if (m) { clearTimeout(timer); server.origin = m[1]; resolve(server); }
    });
    child.on('exit', (code) => { clearTimeout(timer); reject(new Failure(`server ${label} stoppet (kode ${code}): ${server.log}`)); });
  });
}

// An administrator's browser: one cookie jar for both servers (same host).
const admin = new CookieJar();
let csrf = '';
async function adminFetch(url, options = {}) {
  const response = await fetch(url, { ...options, headers: { ...options.headers, cookie: admin.header() }, redirect: 'manual' });
  admin.remember(response);
  return response;
}
function adminForm(url, fields) {
  return adminFetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ csrf, ...fields }).toString(),
  });
}
async function responseCount(server, round) {
  const response = await adminFetch(`${server.origin}/api/runder/${round}/svarprosent`);
  if (response.status !== 200) fail(`server ${server.label}: svarprosenten svarte HTTP ${response.status}`);
  return response.json();
}

// An export file uploaded on /admin/import, with what the manifest says.
async function upload(server, entry) {
  const started = performance.now();
  const form = new FormData();
  form.append('csrf', csrf);
  form.append('fil', new Blob([readFileSync(entry.path)]), path.basename(entry.path));
  form.append('kommune', entry.municipality);
  form.append('aar', entry.year);
  form.append('runde', entry.round_type);
  const response = await adminFetch(`${server.origin}/admin/import`, { method: 'POST', body: form });
  const html = await response.text();
  const imported = /Import (\d+): [^<]*? importert (\d+),/.exec(html);
  return {
    status: response.status,
    batch: imported ? Number(imported[1]) : null,
    rows: imported ? Number(imported[2]) : 0,
    already: /allerede importert/.test(html),
    text: html.replace(/<[^>]+>/g, ' ').replace(/\s+/g, ' ').slice(0, 300),
    started,
    ended: performance.now(),
  };
}

const sha256 = (file) => createHash('sha256').update(readFileSync(file)).digest('hex');
const seconds = (from, to) => ((to - from) / 1000).toFixed(1);
const work = mkdtempSync(path.join(tmpdir(), 'samkart-samtidig-'));
const testStarted = performance.now();
let created = false;
let exitCode = 0;
try {
  // --- A fresh database, the schema as the owner, the rest as the app role ---
  console.log(`Database ${database} på ${env.SAMKART_PG_HOST}:${env.SAMKART_PG_PORT}`);
  await psql(`CREATE DATABASE ${database} OWNER samkart_owner`, 'postgres');
  created = true;
  run(ownerUrl, ['migrate', '--grant', 'samkart_app']);

  // --- Synthetic data: the register and most exports now, the rest later ---
  const synth = path.join(work, 'syntetisk');
  run(null, ['synth', '--out', synth, '--scale', '0.2']);
  const [header, ...rows] = readFileSync(path.join(synth, 'manifest.csv'), 'utf8').trim().split('\n');
  const columns = header.split(',');
  const entries = rows.map((line) => {
    const fields = line.split(',');
    const entry = Object.fromEntries(columns.map((c, i) => [c, fields[i]]));
    return { ...entry, path: path.join(synth, entry.file), sha256: sha256(path.join(synth, entry.file)) };
  });
  if (entries.length < HELD_BACK_FILES + 10) fail(`syntetiske data har bare ${entries.length} eksportfiler`);
  // The latest files are held back (their baselines are imported first).
  const first = entries.slice(0, entries.length - HELD_BACK_FILES - 1);
  const forCli = entries.slice(entries.length - HELD_BACK_FILES - 1, entries.length - 1);
  const uploadOnly = entries[entries.length - 1];
  const uploadAlsoCli = forCli[Math.floor(forCli.length / 2)];  // raced by the CLI and the upload
  const manifest = (name, list) => {
    const file = path.join(synth, name);
    writeFileSync(file, [header, ...list.map((e) => columns.map((c) => e[c]).join(','))].join('\n') + '\n');
    return file;
  };
  const setup = run(appUrl, ['import', path.join(synth, 'kommuner.csv'), manifest('manifest_foer.csv', first)]);
  const batchesBefore = await count('SELECT count(*) FROM batches');
  check(batchesBefore === first.length, `første import: ${batchesBefore} av ${first.length} filer lagret (${setup.split('\n').find((l) => l.startsWith('Ferdig'))})`);
  const heldManifest = manifest('manifest_samtidig.csv', forCli);
  const password = /Passord: (\S+)/.exec(run(appUrl, ['user', 'add', 'admin', '--role', 'admin', '--generate-password']))?.[1];
  if (!password) fail('fant ikke passordet i utskriften fra «samkart user add»');

  // --- Two servers on the same database ---
  const [a, b] = await Promise.all([startServer('A'), startServer('B')]);
  console.log(`Server A: ${a.origin}, server B: ${b.origin}`);

  const login = await adminFetch(`${a.origin}/api/logg-inn`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ brukernavn: 'admin', passord: password }),
  });
  if (login.status !== 200) fail(`innlogging på A: HTTP ${login.status} ${await login.text()}`);
  csrf = (await login.json()).csrf;

  // A round for a municipality from the register, with several services.
  const roundsPage = await (await adminFetch(`${a.origin}/runder`)).text();
  const municipality = /<select id="kommune"[^>]*>\s*<option value="(\d+)"/.exec(roundsPage)?.[1];
  const serviceKeys = [...roundsPage.matchAll(/name="inviterte_([A-Za-z0-9_]+)"/g)].map((m) => m[1]).slice(0, 4);
  if (!municipality || serviceKeys.length < 2) fail('fant ikke kommune og tjenester i skjemaet på /runder');
  const invited = Object.fromEntries(serviceKeys.map((k) => [`inviterte_${k}`, '100']));
  const createdRound = await adminForm(`${a.origin}/runder`, {
    kommune: municipality, aar: String(new Date().getUTCFullYear()), type: 'follow_up', ...invited,
    siste_svardag: new Date(Date.now() + 20 * 864e5).toISOString().slice(0, 10),
  });
  const round = /\/runder\/(\d+)$/.exec(createdRound.headers.get('location') || '')?.[1];
  if (createdRound.status !== 303 || !round) fail(`runden ble ikke opprettet: HTTP ${createdRound.status} ${(await createdRound.text()).slice(0, 300)}`);
  const roundPage = await (await adminFetch(`${a.origin}/runder/${round}`)).text();
  const links = [...roundPage.matchAll(/readonly value="(http:\/\/[^"]+\/s\/[A-Za-z0-9_-]+)"/g)].map((m) => m[1]);
  if (links.length !== serviceKeys.length + 1) fail(`ventet ${serviceKeys.length + 1} lenker på rundesiden, fant ${links.length}`);
  const [general, ...serviceLinks] = links;
  const on = (server, link) => { const u = new URL(link); u.host = new URL(server.origin).host; return u.href; };
  console.log(`Runde ${round}: kommune ${municipality}, ${serviceKeys.length} tjenester (${serviceKeys.join(', ')})`);

  // --- Everything at once ---
  // Respondent i: on A or B; the general link or a service link; every
  // fifth hops between the servers request by request. Every fourth posts
  // «Send inn» twice at once (a double click; half of them to the same
  // server, half to both), every eighth once more after «Takk».
  const plan = [];
  for (let i = 0; i < 2 * RESPONDENTS_PER_SERVER; ++i) {
    const home = i % 2 === 0 ? a : b;
    const other = home === a ? b : a;
    const link = i % 3 === 0 ? general : serviceLinks[i % serviceLinks.length];
    const resubmit = i % 4 === 1 ? 'parallel' : i % 8 === 3 ? 'again' : undefined;
    const hops = i % 5 === 4 || (resubmit === 'parallel' && i % 8 === 1);
    plan.push({ url: on(home, link), origins: hops ? [home.origin, other.origin] : [home.origin], resubmit });
  }
  console.log(`Samtidig: ${plan.length} respondenter, «samkart import» av ${forCli.length} filer, to opplastinger på B`);
  const concurrentStarted = performance.now();
  const [answered, cli, uploads] = await Promise.all([
    Promise.allSettled(plan.map(async (p) => {
      const started = performance.now();
      const result = await answerSurvey(p.url, { origins: p.origins, resubmit: p.resubmit });
      return { ...result, resubmit: p.resubmit, started, ended: performance.now() };
    })),
    runAsync(appUrl, ['import', heldManifest]),
    Promise.all([upload(b, uploadOnly), upload(b, uploadAlsoCli)]),
  ]);
  const concurrentEnded = performance.now();

  // --- What the clients saw ---
  const done = answered.filter((r) => r.status === 'fulfilled').map((r) => r.value);
  const errors = answered.filter((r) => r.status === 'rejected').map((r) => r.reason?.message ?? String(r.reason));
  for (const e of errors.slice(0, 5)) console.error(`  respondent: ${e}`);
  const thanked = done.length;
  const outcomes = done.flatMap((d) => d.submissions);
  const stored = outcomes.filter((o) => o.outcome === 'stored').length;
  const already = outcomes.filter((o) => o.outcome === 'already').length;
  const odd = outcomes.filter((o) => o.outcome === 'other');
  const doubled = plan.filter((p) => p.resubmit).length;
  const respondentsEnded = Math.max(...done.map((d) => d.ended), concurrentStarted);
  check(errors.length === 0, `alle ${plan.length} respondenter kom til «Takk for svaret» (${thanked} gjorde det)`);
  check(stored === doubled && already === doubled && odd.length === 0,
        `${doubled} trykket «Send inn» to ganger: ${stored} innsendinger lagret, ${already} fikk «allerede sendt inn»` +
        ` (${['again', 'parallel'].map((mode) => {
          const mine = done.filter((d) => d.resubmit === mode).flatMap((d) => d.submissions);
          return `${mode === 'again' ? 'etter hverandre' : 'samtidig'}: ${mine.filter((o) => o.outcome === 'stored').length} lagret av ${mine.length}`;
        }).join('; ')})` +
        `${odd.length ? `, ${odd.length} noe annet: ${JSON.stringify(odd.slice(0, 3))}` : ''}`);

  const cliLines = cli.stdout.split('\n');
  const cliBatches = new Map();  // file name → [batch, rows]
  for (const line of cliLines) {
    const m = /^(.*): import (\d+), .*: lest \d+, importert (\d+),/.exec(line);
    if (m) cliBatches.set(path.basename(m[1]), [Number(m[2]), Number(m[3])]);
  }
  const cliTotal = /filer importert \((\d+) respondenter\)/.exec(cli.stdout);
  const cliErrors = cli.stderr.split('\n').filter((l) => l.startsWith('samkart:'));
  const raceLost = cliErrors.every((l) => l.includes(path.basename(uploadAlsoCli.path)) && /allerede importert/.test(l));
  check(cliTotal && (cli.code === 0 || (cli.code === 1 && cliErrors.length === 1 && raceLost)),
        `«samkart import» avsluttet med kode ${cli.code}${cliErrors.length ? ` (${cliErrors.join('; ')})` : ''}: ${cliLines.filter((l) => l.startsWith('Ferdig')).join('')}`);
  const [uploadedOnly, uploadedRaced] = uploads;
  check(uploadedOnly.status === 200 && uploadedOnly.batch !== null,
        `opplasting av ${path.basename(uploadOnly.path)} på B: HTTP ${uploadedOnly.status}, import ${uploadedOnly.batch}, ${uploadedOnly.rows} respondenter`);
  const cliGotRaced = cliBatches.has(path.basename(uploadAlsoCli.path));
  check(uploadedRaced.status === 200 || uploadedRaced.status === 422,
        `opplasting av ${path.basename(uploadAlsoCli.path)} (også i CLI-importen) på B: HTTP ${uploadedRaced.status}, ` +
        `${uploadedRaced.batch !== null ? `import ${uploadedRaced.batch}` : uploadedRaced.already ? 'allerede importert' : uploadedRaced.text}`);
  check((uploadedRaced.batch !== null) !== cliGotRaced,
        `${path.basename(uploadAlsoCli.path)} ble lagret av nøyaktig én av dem (${cliGotRaced ? 'CLI-importen' : 'opplastingen'})`);

  // --- The count, with psql ---
  console.log('Telling med psql');
  const held = await count(`SELECT count(*) FROM survey_responses WHERE round_id = ${round}`);
  check(held === thanked, `survey_responses for runden: ${held}, respondenter som fikk «Takk»: ${thanked}`);
  const drafts = await count(`SELECT count(*) FROM survey_drafts WHERE round_id = ${round}`);
  check(drafts === 0, `ingen svarutkast igjen for runden (${drafts})`);

  const heldBack = [...forCli, uploadOnly];
  let heldBackRespondents = 0;
  const lost = [];
  for (const entry of heldBack) {
    const batches = await psql(`SELECT id, rows_imported, (SELECT count(*) FROM respondents r WHERE r.batch_id = b.id) ` +
                         `FROM batches b WHERE content_sha256 = '${entry.sha256}'`);
    if (batches.length !== 1) { lost.push(`${entry.file}: ${batches.length} importer`); continue; }
    const [, rowsImported, respondents] = batches[0].map(Number);
    if (rowsImported !== respondents) lost.push(`${entry.file}: rows_imported ${rowsImported}, respondenter ${respondents}`);
    heldBackRespondents += respondents;
  }
  check(lost.length === 0, `hver av de ${heldBack.length} tilbakeholdte filene er importert nøyaktig én gang med alle radene` +
        `${lost.length ? `: ${lost.slice(0, 5).join('; ')}` : ''}`);
  const printed = Number(cliTotal?.[1] ?? NaN) + uploadedOnly.rows + uploadedRaced.rows;
  check(heldBackRespondents === printed,
        `respondenter i de tilbakeholdte filene: ${heldBackRespondents} i databasen, ${printed} skrevet ut ` +
        `(CLI ${cliTotal?.[1]}, opplastinger ${uploadedOnly.rows} + ${uploadedRaced.rows})`);
  const duplicates = await psql('SELECT content_sha256, count(*) FROM batches GROUP BY 1 HAVING count(*) > 1');
  const batchesAfter = await count('SELECT count(*) FROM batches');
  check(duplicates.length === 0 && batchesAfter === batchesBefore + heldBack.length,
        `ingen import lagret to ganger: ${batchesAfter} importer = ${batchesBefore} + ${heldBack.length}, ${duplicates.length} dobbelt innhold`);
  const mismatched = await count('SELECT count(*) FROM batches b WHERE rows_imported <> (SELECT count(*) FROM respondents r WHERE r.batch_id = b.id)');
  check(mismatched === 0, `rows_imported stemmer med respondentene for alle importer (${mismatched} avvik)`);

  // --- Both servers show the same count ---
  const [rateA, rateB] = await Promise.all([responseCount(a, round), responseCount(b, round)]);
  check(rateA.totalt.svar === thanked && rateB.totalt.svar === thanked,
        `svarprosenten viser ${rateA.totalt.svar} svar på A og ${rateB.totalt.svar} på B (ventet ${thanked})`);

  // --- Close the round on B ---
  const closeStarted = performance.now();
  const closed = await adminForm(`${b.origin}/runder/${round}/avslutt`, { bekreft: 'ja' });
  const closeEnded = performance.now();
  if (closed.status !== 303) {
    check(false, `runden ble avsluttet på B (HTTP ${closed.status}: ${(await closed.text()).replace(/<[^>]+>/g, ' ').replace(/\s+/g, ' ').slice(0, 300)})`);
  } else {
    const [[status, batch]] = await psql(`SELECT status, batch_id FROM survey_rounds WHERE id = ${round}`);
    const [rowsImported, respondents] = (await psql(`SELECT rows_imported, (SELECT count(*) FROM respondents WHERE batch_id = ${batch}) ` +
                                                    `FROM batches WHERE id = ${batch}`))[0].map(Number);
    check(status === 'closed' && respondents === thanked && rowsImported === thanked,
          `runden avsluttet på B: status ${status}, import ${batch} med ${respondents} respondenter (rows_imported ${rowsImported}, ventet ${thanked})`);
    const left = await count(`SELECT count(*) FROM survey_responses WHERE round_id = ${round}`);
    check(left === 0, `survey_responses for runden er tom etter avslutningen (${left})`);
    const afterA = await responseCount(a, round);
    check(afterA.status === 'closed', `server A ser runden som avsluttet (${afterA.status})`);
    const late = await fetch(on(a, general), { redirect: 'manual' });
    check(late.status === 410, `en ny respondent på A får «avsluttet» (HTTP ${late.status})`);
  }

  // --- Summary ---
  const durations = done.map((d) => d.ended - d.started).sort((x, y) => x - y);
  const requests = done.reduce((sum, d) => sum + d.requests, 0);
  console.log('\nOppsummering');
  console.log(`  Respondenter: ${thanked}/${plan.length} fikk «Takk» (${plan.filter((p) => p.origins.length > 1).length} vekslet mellom A og B, ` +
              `${doubled} sendte inn to ganger), ${requests} forespørsler på ${seconds(concurrentStarted, respondentsEnded)} s, ` +
              `median ${(durations[Math.floor(durations.length / 2)] / 1000 || 0).toFixed(1)} s per respondent`);
  console.log(`  CLI-import: ${cliBatches.size} filer, ${cliTotal?.[1]} respondenter, ${seconds(cli.started, cli.ended)} s ` +
              `(startet ${seconds(concurrentStarted, cli.started)} s, ferdig ${seconds(concurrentStarted, cli.ended)} s inn i den samtidige fasen)`);
  console.log(`  Opplastinger på B: ${uploadedOnly.rows} + ${uploadedRaced.rows} respondenter, ferdig ` +
              `${seconds(concurrentStarted, Math.max(uploadedOnly.ended, uploadedRaced.ended))} s inn`);
  console.log(`  Samtidig fase: ${seconds(concurrentStarted, concurrentEnded)} s; avslutning på B: ${seconds(closeStarted, closeEnded)} s; ` +
              `hele testen: ${seconds(testStarted, performance.now())} s`);
  console.log(`  Telt: ${held} holdte svar = ${thanked} takk; ${heldBackRespondents} respondenter i ${heldBack.length} tilbakeholdte filer; ` +
              `${batchesAfter} importer før avslutningen`);
  if (failures.length) {
    console.error(`\nFEIL: ${failures.length} kontroller feilet:`);
    for (const f of failures) console.error(`  - ${f}`);
    exitCode = 1;
  } else {
    console.log('\nAlt stemmer: ingenting tapt, ingenting doblet.');
  }
} catch (e) {
  console.error(`FEIL: ${e instanceof Failure ? e.message : e.stack}${e.cause ? ` (${e.cause.stack ?? e.cause})` : ''}`);
  exitCode = 1;
} finally {
  for (const s of servers) {
    if (s.exited) {
      console.error(`FEIL: server ${s.label} stoppet av seg selv under testen (${s.exited})`);
      exitCode = 1;
    } else {
      s.child.kill('SIGTERM');
    }
  }
  await Promise.all(servers.map((s) => s.child.exitCode !== null || s.child.signalCode !== null ? null
    : new Promise((resolve) => { s.child.once('exit', resolve); setTimeout(() => { s.child.kill('SIGKILL'); resolve(); }, 10000); })));
  for (const s of servers) {
    if (s.log.trim() && exitCode) console.error(`Logg fra server ${s.label}:\n${s.log.slice(-2000)}`);
  }
  if (created) {
    try {
      await psql(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`, 'postgres');
    } catch (e) {
      console.error(`FEIL: kunne ikke slette databasen ${database}: ${e.stderr || e.message}`);
      exitCode = 1;
    }
  }
  rmSync(work, { recursive: true, force: true });
}
process.exit(exitCode);
