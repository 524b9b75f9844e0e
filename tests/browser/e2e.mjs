// End-to-end test of `samkart serve` in Debian's Chromium, driven by
// playwright-core: an administrator logs in and creates a survey round, a
// respondent answers on a phone-sized screen (and another with the keyboard
// alone), the response is counted, a result is explored and downloaded, and
// axe-core checks every survey page for WCAG 2.1 A/AA violations.
//
// Usage: node e2e.mjs --samkart PATH   (run by CTest; exits non-zero on any failure)
import { spawn, execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const here = path.dirname(fileURLToPath(import.meta.url));

function argument(name, fallback) {
  const at = process.argv.indexOf(name);
  return at >= 0 ? process.argv[at + 1] : fallback;
}

const samkart = argument('--samkart');
const chromiumPath = process.env.SAMKART_CHROMIUM || '/usr/bin/chromium';
if (!samkart || !existsSync(samkart)) fail(`fant ikke samkart-programmet (${samkart})`);
if (!existsSync(chromiumPath)) fail(`fant ikke Chromium på ${chromiumPath} (scripts/bootstrap.sh installerer den)`);
let chromium;
try {
  ({ chromium } = require('playwright-core'));
} catch {
  fail('playwright-core mangler: kjør «npm ci» i tests/browser (scripts/bootstrap.sh gjør det)');
}
const axeSource = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');

function fail(message) {
  console.error(`FEIL: ${message}`);
  process.exit(1);
}

const failures = [];
function check(condition, message) {
  if (!condition) {
    failures.push(message);
    console.error(`  ✗ ${message}`);
  } else {
    console.log(`  ✓ ${message}`);
  }
}

const work = mkdtempSync(path.join(tmpdir(), 'samkart-e2e-'));
const db = path.join(work, 'samkart.sqlite');
function run(args) {
  return execFileSync(samkart, ['--db', db, ...args], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

// --- A small synthetic national dataset and a demo administrator ---
console.log('Forbereder data …');
run(['synth', '--out', path.join(work, 'syntetisk'), '--scale', '0.2']);
run(['import', path.join(work, 'syntetisk')]);
const created = run(['user', 'add', 'e2e-admin', '--role', 'admin', '--generate-password']);
const password = /Passord: (\S+)/.exec(created)[1];
// The coordinator of a synthetic municipality with answers in the database.
const coordinatorMunicipality = '9004';
const coordinatorPassword = /Passord: (\S+)/.exec(run(['user', 'add', 'e2e-koordinator', '--role', 'municipal',
  '--municipality', coordinatorMunicipality, '--generate-password']))[1];

// --- The server, on a free port ---
const server = spawn(samkart, ['--db', db, 'serve', '--port', '0'], { stdio: ['ignore', 'pipe', 'pipe'] });
let serverLog = '';
server.stderr.on('data', (d) => { serverLog += d; });
const base = await new Promise((resolve, reject) => {
  let out = '';
  const timer = setTimeout(() => reject(new Error('serveren startet ikke innen 60 s')), 60000);
  server.stdout.on('data', (d) => {
    out += d;
    const m = /(http:\/\/[\d.]+:\d+)\//.exec(out);
    if (m) { clearTimeout(timer); resolve(m[1]); }
  });
  server.on('exit', (code) => reject(new Error(`serveren stoppet (kode ${code}): ${serverLog}`)));
});

const browser = await chromium.launch({
  executablePath: chromiumPath,
  headless: true,
  args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
         '--disable-background-networking', '--disable-component-update', '--disable-sync'],
});

// A form refused on purpose answers 400; only then is that expected.
let refusing = false;

// Console errors (a CSP violation is one), failed requests and requests
// that leave the server all count as failures.
function watch(page, label) {
  page.on('console', (m) => { if (m.type() === 'error' && !(refusing && /status of 400/.test(m.text()))) failures.push(`${label}: konsollfeil: ${m.text()} (${m.location().url})`); });
  page.on('response', (r) => { if (r.status() >= 400 && !(refusing && r.status() === 400)) failures.push(`${label}: HTTP ${r.status()} fra ${r.url()}`); });
  page.on('pageerror', (e) => failures.push(`${label}: skriptfeil: ${e.message}`));
  // A download ends its request, and a page that moves on aborts the
  // explorer's update of the page it leaves; neither is a failure.
  page.on('requestfailed', (r) => {
    const aborted = r.failure()?.errorText === 'net::ERR_ABORTED' && r.url().includes('del=resultat');
    if (!r.url().includes('/last-ned') && !aborted) failures.push(`${label}: feilet: ${r.url()} (${r.failure()?.errorText})`);
  });
  page.on('request', (r) => { if (!r.url().startsWith(base) && !r.url().startsWith('data:')) failures.push(`${label}: ekstern forespørsel: ${r.url()}`); });
}

const axeRuns = { scans: 0, violations: 0 };

// axe-core, WCAG 2.1 A and AA rules. Evaluated over the DevTools protocol,
// which the page's Content-Security-Policy does not govern.
async function axe(page, what) {
  await page.evaluate(`${axeSource}\n;0`);
  const result = await page.evaluate(() =>
    // eslint-disable-next-line no-undef
    axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] } }));
  axeRuns.scans += 1;
  axeRuns.violations += result.violations.length;
  const summary = result.violations.map((v) => `${v.id} (${v.nodes.length}): ${v.help} — ${v.nodes.slice(0, 2).map((n) => n.target.join(' ')).join(', ')}`);
  check(result.violations.length === 0, `axe: ingen WCAG-brudd på ${what}${summary.length ? ': ' + summary.join('; ') : ''}`);
  return result.violations.length;
}


// What axe does not see, measured on the rendered page (WCAG 2.1 AA).
const measured = { reflow: 0, focus: 0, labels: 0, errors: 0 };

// 1.4.10 reflow: at 320 CSS px nothing makes the page scroll sideways.
// Tables may scroll inside their own region (.table-wrap); anything else
// reaching past the right edge is named.
async function reflow(page, what) {
  const before = page.viewportSize();
  await page.setViewportSize({ width: 320, height: 800 });
  const result = await page.evaluate(() => {
    const width = document.documentElement.clientWidth;
    const offenders = [];
    // Inside a box that scrolls on its own (a wide table's region), width is allowed.
    const inScrollBox = (e) => {
      for (let n = e.parentElement; n && n !== document.body; n = n.parentElement) {
        if (['auto', 'scroll'].includes(getComputedStyle(n).overflowX)) return true;
      }
      return false;
    };
    for (const e of document.body.querySelectorAll('*')) {
      if (e.closest('.skip') || inScrollBox(e)) continue;
      const r = e.getBoundingClientRect();
      if (r.width > 0 && r.right > width + 1) {
        offenders.push(`${e.tagName.toLowerCase()}${e.id ? '#' + e.id : ''}${e.className && typeof e.className === 'string' ? '.' + e.className.split(' ')[0] : ''} til x = ${Math.round(r.right)}`);
      }
    }
    return { scroll: document.documentElement.scrollWidth, width, offenders: offenders.slice(0, 3) };
  });
  await page.setViewportSize(before);
  ++measured.reflow;
  check(result.scroll <= result.width + 1 && result.offenders.length === 0,
    `${what} flyter om på 320 px (sidebredde ${result.scroll} px${result.offenders.length ? '; ' + result.offenders.join(', ') : ''})`);
}

// 1.4.11 non-text contrast: the focus ring of every element Tab reaches has
// at least 3:1 against the background it is drawn on.
async function focusContrast(page, what, most = 25) {
  await page.evaluate(() => { document.activeElement?.blur(); window.scrollTo(0, 0); });
  const seen = [];
  for (let i = 0; i < most; ++i) {
    await page.keyboard.press('Tab');
    const r = await page.evaluate(() => {
      const e = document.activeElement;
      if (!e || e === document.body) return null;
      const parse = (c) => { const m = c.match(/[\d.]+/g); return m ? m.map(Number) : [0, 0, 0, 0]; };
      const lum = ([r, g, b]) => { const f = (v) => { v /= 255; return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; }; return 0.2126 * f(r) + 0.7152 * f(g) + 0.0722 * f(b); };
      const ratio = (a, b) => { const [x, y] = [lum(a), lum(b)].sort((p, q) => q - p); return (x + 0.05) / (y + 0.05); };
      let bg = [255, 255, 255];
      for (let n = e.parentElement; n; n = n.parentElement) {
        const c = parse(getComputedStyle(n).backgroundColor);
        if (c.length < 4 || c[3] > 0) { bg = c.slice(0, 3); break; }
      }
      const s = getComputedStyle(e);
      const width = parseFloat(s.outlineWidth);
      const visible = s.outlineStyle !== 'none' && width >= 2;
      return { name: `${e.tagName.toLowerCase()}${e.id ? '#' + e.id : ''} «${(e.textContent || e.value || '').trim().slice(0, 30)}»`, visible, ratio: visible ? ratio(parse(s.outlineColor), bg) : 0 };
    });
    if (!r) break;
    seen.push(r);
  }
  ++measured.focus;
  const bad = seen.filter((r) => !r.visible || r.ratio < 3);
  const lowest = seen.length ? Math.min(...seen.map((r) => r.ratio)).toFixed(1) : '–';
  check(seen.length > 0 && bad.length === 0,
    `${what}: fokusmarkeringen har minst 3:1 kontrast på ${seen.length} elementer (lavest ${lowest}:1)${bad.length ? ': ' + bad.slice(0, 3).map((b) => `${b.name} ${b.ratio.toFixed(2)}:1`).join(', ') : ''}`);
}

// Chart and label text on a 390 px phone: never clipped by its SVG or a box
// that hides overflow, and at least `min` CSS px as drawn (after the SVG's
// scaling).
async function labels(page, what, min = 11) {
  const before = page.viewportSize();
  await page.setViewportSize({ width: 390, height: 844 });
  const result = await page.evaluate((min) => {
    const problems = [];
    let count = 0;
    for (const t of document.querySelectorAll('svg text')) {
      if (!t.textContent.trim()) continue;
      const svg = t.ownerSVGElement;
      const box = svg.getBoundingClientRect();
      const r = t.getBoundingClientRect();
      if (r.width === 0 && r.height === 0) continue;
      ++count;
      const drawn = parseFloat(getComputedStyle(t).fontSize) * (t.getScreenCTM()?.a || 1);
      if (r.left < box.left - 1 || r.right > box.right + 1 || r.top < box.top - 1 || r.bottom > box.bottom + 1) {
        problems.push(`«${t.textContent.trim().slice(0, 40)}» går utenfor diagrammet`);
      } else if (drawn < min - 0.05) {
        problems.push(`«${t.textContent.trim().slice(0, 40)}» er ${drawn.toFixed(1)} px`);
      }
    }
    for (const e of document.querySelectorAll('main *')) {
      const s = getComputedStyle(e);
      // Text hidden on purpose for screen readers only is not clipped text.
      if (e.getBoundingClientRect().width <= 1 || s.clip !== 'auto' || s.clipPath !== 'none') continue;
      if ((s.overflowX === 'hidden' || s.textOverflow === 'ellipsis') && e.scrollWidth > e.clientWidth + 1 && e.textContent.trim()) {
        problems.push(`«${e.textContent.trim().slice(0, 40)}» er kuttet`);
      }
    }
    return { count, problems };
  }, min);
  await page.setViewportSize(before);
  ++measured.labels;
  check(result.problems.length === 0,
    `${what}: ${result.count} diagramtekster er hele og minst ${min} px${result.problems.length ? ': ' + result.problems.slice(0, 4).join('; ') + (result.problems.length > 4 ? ` (og ${result.problems.length - 4} til)` : '') : ''}`);
}

// 3.3.1 / 1.3.1: after a refused form, every field marked invalid names its
// message (aria-describedby to an element with text), and the focus is on
// the error summary.
async function errorsTied(page, what) {
  const r = await page.evaluate(() => {
    const invalid = [...document.querySelectorAll('[aria-invalid=true]')];
    const untied = invalid.filter((e) => {
      const ids = (e.getAttribute('aria-describedby') || '').split(/\s+/).filter(Boolean);
      return !ids.some((id) => document.getElementById(id)?.textContent.trim());
    }).map((e) => e.id || e.name);
    const focus = document.activeElement;
    return { invalid: invalid.length, untied, focused: !!focus?.closest('.error-summary') };
  });
  ++measured.errors;
  check(r.invalid > 0 && r.untied.length === 0 && r.focused,
    `${what}: feilen er knyttet til feltet (${r.invalid} felt med aria-invalid${r.untied.length ? ', uten beskrivelse: ' + r.untied.join(', ') : ''}) og fokus står på feiloppsummeringen (${r.focused ? 'ja' : 'nei'})`);
}

// Everything above on one page.
async function audit(page, what, { focus = true } = {}) {
  await axe(page, what);
  const before = page.viewportSize();
  await page.setViewportSize({ width: 390, height: 844 });
  await axe(page, `${what} på 390 px`);
  await page.setViewportSize(before);
  await reflow(page, what);
  await labels(page, what);
  if (focus) await focusContrast(page, what);
}

// Answers every page by clicking: the first option of each radio group and
// the first checkbox of a checklist, then «Neste» (or «Send inn»). Runs axe
// on every page on the way.
async function answerByPointer(page, surveyUrl) {
  await page.goto(surveyUrl);
  await axe(page, 'introsiden');
  await page.getByRole('button', { name: 'Start' }).click();
  const titles = new Set();
  for (let step = 0; step < 40; ++step) {
    await page.waitForLoadState();
    if (/Takk for svaret/.test(await page.content())) return titles;
    titles.add(await page.title());
    await axe(page, `«${await page.title()}»`);
    // WCAG 1.4.10 (reflow): nothing wider than the screen, no sideways scrolling.
    const wide = await page.evaluate(() => document.documentElement.scrollWidth > window.innerWidth + 1);
    if (wide) failures.push(`«${await page.title()}» er bredere enn skjermen (${page.viewportSize().width} px)`);
    for (const fieldset of await page.locator('fieldset').all()) {
      const radio = fieldset.locator('input[type=radio]').first();
      if (await radio.count()) await radio.check();
      else if (await fieldset.locator('input[type=checkbox]').count()) await fieldset.locator('input[type=checkbox]').first().check();
    }
    const send = page.getByRole('button', { name: 'Send inn' });
    if (await send.count()) await send.click();
    else await page.getByRole('button', { name: 'Neste' }).click();
  }
  throw new Error('kom ikke til takkesiden');
}

// The same with the keyboard alone: Tab moves through the page, Space picks
// the focused option of a group not yet answered, Enter on «Neste»/«Send inn».
async function answerByKeyboard(page, surveyUrl) {
  await page.goto(surveyUrl);
  await page.keyboard.press('Tab');  // the skip link
  for (let i = 0; i < 10; ++i) {
    const text = await page.evaluate(() => document.activeElement?.textContent?.trim());
    if (text === 'Start') break;
    await page.keyboard.press('Tab');
  }
  await Promise.all([page.waitForNavigation(), page.keyboard.press('Enter')]);
  for (let step = 0; step < 40; ++step) {
    await page.waitForLoadState();
    if (/Takk for svaret/.test(await page.content())) return true;
    const answered = new Set();
    let pressed = false;
    for (let tab = 0; tab < 400 && !pressed; ++tab) {
      await page.keyboard.press('Tab');
      const focus = await page.evaluate(() => {
        const e = document.activeElement;
        return { tag: e?.tagName, type: e?.type, name: e?.name, text: e?.textContent?.trim() };
      });
      if (focus.tag === 'INPUT' && focus.type === 'radio' && !answered.has(focus.name)) {
        await page.keyboard.press('Space');
        answered.add(focus.name);
      } else if (focus.tag === 'BUTTON' && (focus.text === 'Neste' || focus.text === 'Send inn')) {
        await Promise.all([page.waitForNavigation(), page.keyboard.press('Enter')]);
        pressed = true;
      }
    }
    if (!pressed) throw new Error(`fant ikke «Neste» med tastaturet på «${await page.title()}»`);
  }
  throw new Error('kom ikke til takkesiden med tastaturet');
}

let exitCode = 0;
try {
  // Negative control: axe must find the faults of a page built to have them,
  // or a clean result on our pages would mean nothing.
  {
    const control = await (await browser.newContext()).newPage();
    await control.setContent('<html><body><img src="data:,"><input type="text"><a href="#"></a></body></html>');
    await control.evaluate(`${axeSource}\n;0`);
    const found = await control.evaluate(() =>
      // eslint-disable-next-line no-undef
      axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa'] } }).then((r) => r.violations.map((v) => v.id)));
    check(found.includes('image-alt') && found.includes('label'), `axe finner feil i en side laget med feil (${found.join(', ')})`);
    await control.context().close();
  }

  // Negative control for the measures: a page built to fail each of them.
  {
    const control = await (await browser.newContext({ viewport: { width: 390, height: 800 } })).newPage();
    await control.setContent(`<html><head><style>:focus { outline: 3px solid #f9a825 }
      .clip { width: 60px; overflow: hidden; white-space: nowrap }</style></head><body><main>
      <a href="#">lenke</a><div class="wide" style="width: 500px">bred</div>
      <svg width="100" height="40" viewBox="0 0 400 40"><text x="-30" y="20" font-size="12">Helsestasjon og skolehelsetjeneste</text><text x="200" y="30" font-size="12">liten</text></svg>
      <p class="clip">Helsestasjon og skolehelsetjeneste</p>
      <input aria-invalid="true" id="x"></main></body></html>`);
    const before = failures.length;
    const quiet = console.log;
    console.log = () => {};
    const errorLog = console.error;
    console.error = () => {};
    await reflow(control, 'kontroll');
    await focusContrast(control, 'kontroll', 2);
    await labels(control, 'kontroll');
    await errorsTied(control, 'kontroll');
    console.log = quiet;
    console.error = errorLog;
    const caught = failures.length - before;
    failures.splice(before);
    for (const k of Object.keys(measured)) measured[k] = 0;
    check(caught === 4, `målingene finner feilene i en side laget med dem (${caught} av 4)`);
    await control.context().close();
  }

  // --- The administrator logs in and creates a round ---
  console.log('Administrator: logger inn og oppretter en runde');
  const desktop = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: 'nb-NO' });
  const admin = await desktop.newPage();
  watch(admin, 'administrator');
  await admin.goto(`${base}/`);
  check(admin.url().includes('/logg-inn'), 'uinnlogget blir sendt til innloggingen');
  await audit(admin, 'innloggingssiden');
  await admin.getByLabel('Brukernavn').fill('e2e-admin');
  await admin.getByLabel('Passord').fill(password);
  await admin.getByRole('button', { name: 'Logg inn' }).click();
  check(await admin.getByText('Du er logget inn som').count() === 1, 'innlogget som administrator');

  await admin.getByRole('link', { name: 'Kartlegginger' }).first().click();
  const municipality = await admin.locator('#kommune option').first().getAttribute('value');
  await admin.locator('#kommune').selectOption(municipality);
  await admin.getByLabel('År').fill(String(new Date().getFullYear()));
  await admin.getByLabel('Barnehage').fill('25');
  await admin.getByLabel('Barneskole/SFO').fill('40');
  await axe(admin, 'siden for å opprette en runde');
  await admin.getByRole('button', { name: 'Opprett runden' }).click();
  const roundUrl = admin.url();
  check(/\/runder\/\d+$/.test(roundUrl), `runden er opprettet (${roundUrl})`);
  await audit(admin, 'rundesiden');
  const links = await admin.locator('input.round-url').evaluateAll((fields) => fields.map((f) => f.value));
  const surveyUrl = links[0];
  check(links.length === 3 && surveyUrl.startsWith(base + '/s/'), 'en fellesslenke og én per tjeneste');

  // --- A respondent on a phone ---
  console.log('Respondent på mobil: svarer på hele skjemaet');
  const phone = await browser.newContext({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true, locale: 'nb-NO' });
  const respondent = await phone.newPage();
  watch(respondent, 'respondent (mobil)');
  const titles = await answerByPointer(respondent, surveyUrl);
  check(titles.size >= 10, `skjemaet har én side per spørsmålsfamilie (${titles.size} sider med ulike titler)`);
  const overflow = await respondent.evaluate(() => document.documentElement.scrollWidth > window.innerWidth);
  check(!overflow, 'takkesiden flyter ikke over på 390 px');
  await axe(respondent, 'takkesiden');

  // Reload keeps answers: start a new respondent, answer page 1, reload.
  const second = await phone.newPage();
  watch(second, 'respondent 2 (mobil)');
  await second.goto(surveyUrl);
  await second.getByRole('button', { name: 'Start' }).click();
  await second.locator('fieldset input[type=radio]').first().check();
  await second.getByRole('button', { name: 'Neste' }).click();
  await second.waitForURL(/\/side\/2$/);
  await second.getByRole('button', { name: 'Tilbake' }).click();
  await second.waitForURL(/\/side\/1$/);
  await second.reload();
  check(await second.locator('fieldset input[type=radio]').first().isChecked(), 'svaret er der etter tilbake og ny innlasting');
  await second.close();

  // --- A respondent with the keyboard alone (service link: Barnehage) ---
  console.log('Respondent med bare tastatur');
  const keyboardContext = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: 'nb-NO' });
  const keyboard = await keyboardContext.newPage();
  watch(keyboard, 'respondent (tastatur)');
  check(await answerByKeyboard(keyboard, links[1]), 'hele skjemaet kan besvares med tastaturet');

  // --- The response is counted ---
  await admin.goto(roundUrl);
  const total = await admin.locator('tfoot td').nth(1).textContent();
  check(total.trim() === '2', `rundesiden teller svarene (${total.trim()} av 2)`);

  // --- A coordinator runs a round alone: from the round with a last day
  // and a QR code, through an answer on a phone, to the result page and a
  // download opened as XLSX ---
  console.log('Kommunekoordinator: runde med siste svardag og QR-kode, svar på mobil, resultatside og Excel');
  const office = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: 'nb-NO', acceptDownloads: true });
  await office.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: base });
  const coordinator = await office.newPage();
  watch(coordinator, 'koordinator');
  await coordinator.goto(`${base}/logg-inn`);
  await coordinator.getByLabel('Brukernavn').fill('e2e-koordinator');
  await coordinator.getByLabel('Passord').fill(coordinatorPassword);
  await coordinator.getByRole('button', { name: 'Logg inn' }).click();
  await coordinator.getByRole('link', { name: 'Kartlegginger' }).first().click();
  await audit(coordinator, 'rundesiden for koordinatoren');
  check(await coordinator.locator('text=Ingen runder ennå').count() === 0, 'rundesiden viser de importerte kartleggingene');
  const isoDate = (days) => new Date(Date.now() + days * 86400000).toISOString().slice(0, 10);
  // A day that has passed is refused at its field.
  await coordinator.locator('#siste-svardag').fill(isoDate(-2));
  await coordinator.getByLabel('Barnehage').fill('30');
  refusing = true;
  await Promise.all([coordinator.waitForNavigation(), coordinator.getByRole('button', { name: 'Opprett runden' }).click()]);
  await coordinator.waitForLoadState('load');
  refusing = false;
  await errorsTied(coordinator, 'rundeskjemaet');
  check(await coordinator.getByLabel('Barnehage').inputValue() === '30', 'rundeskjemaet beholder det som er skrevet');
  await coordinator.locator('#siste-svardag').fill(isoDate(21));
  await coordinator.getByLabel('Barnehage').fill('30');
  await coordinator.getByLabel('Barneskole/SFO').fill('45');
  await coordinator.getByRole('button', { name: 'Opprett runden' }).click();
  check(/\/runder\/\d+$/.test(coordinator.url()), `koordinatoren har opprettet en runde (${coordinator.url()})`);
  await audit(coordinator, 'koordinatorens rundeside');
  const roundLinks = await coordinator.locator('input.round-url').evaluateAll((fields) => fields.map((f) => f.value));
  check(roundLinks.length === 3, `en fellesslenke og én per tjeneste (${roundLinks.length})`);
  // The QR codes: drawn on the page, and as PNG and SVG for posters.
  const qrDrawn = await coordinator.locator('figure.round-qr img').evaluateAll((images) => images.filter((i) => i.complete && i.naturalWidth > 0).length);
  check(qrDrawn === roundLinks.length, `en QR-kode per lenke vises (${qrDrawn})`);
  const qrHref = await coordinator.locator('figure.round-qr a[href$=".png"]').first().getAttribute('href');
  const png = await coordinator.request.get(`${base}${qrHref}`);
  const pngBytes = await png.body();
  check(png.ok() && png.headers()['content-type'] === 'image/png' && pngBytes.subarray(1, 4).toString() === 'PNG', 'QR-koden lastes ned som PNG');
  const svg = await coordinator.request.get(`${base}${qrHref.replace(/\.png$/, '.svg')}`);
  check(svg.ok() && /<svg[^>]*>/.test(await svg.text()), 'QR-koden lastes ned som SVG');
  // Copy button, and the invitation with the link and the last day in words.
  await coordinator.locator('button.round-copy').first().click();
  await coordinator.waitForFunction(() => document.getElementById('kopiert')?.textContent.trim());
  const copied = await coordinator.evaluate(() => navigator.clipboard.readText());
  check(copied === roundLinks[0], `«Kopier lenken» legger lenken på utklippstavlen (${copied})`);
  await coordinator.locator('details.round-texts summary').first().click();
  const invitation = await coordinator.locator('textarea[id$="-invitasjon"]').first().inputValue();
  const lastDay = new Date(Date.now() + 21 * 86400000);
  const monthNames = ['januar', 'februar', 'mars', 'april', 'mai', 'juni', 'juli', 'august', 'september', 'oktober', 'november', 'desember'];
  check(invitation.includes(roundLinks[0]) && invitation.includes(`${lastDay.getUTCDate()}. ${monthNames[lastDay.getUTCMonth()]}`),
    'invitasjonen har lenken og siste svardag skrevet med ord');

  // The free-text question and the privacy contact are a link away.
  const roundPage = coordinator.url();
  await coordinator.getByRole('link', { name: 'Legg til et spørsmål med fritekst' }).click();
  await audit(coordinator, 'siden for fritekst og kommentarer');
  await coordinator.goto(roundPage);
  await coordinator.getByRole('link', { name: 'Kontakten for personvern' }).click();
  await audit(coordinator, 'siden for kontakt for personvern');
  await coordinator.goto(roundPage);

  // An employee answers on a phone, after reading who is responsible.
  const employeePhone = await browser.newContext({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true, locale: 'nb-NO' });
  const employee = await employeePhone.newPage();
  watch(employee, 'ansatt (mobil)');
  await employee.goto(roundLinks[1]);
  const privacy = await employee.locator('section.survey-privacy').textContent();
  check(/behandlingsansvarlig|ansvarlig/i.test(privacy) && /frivillig/i.test(privacy), 'personvernerklæringen står før første spørsmål');
  await answerByPointer(employee, roundLinks[1]);
  check(/Takk for svaret/.test(await employee.content()), 'den ansatte har svart på mobilen');
  await employeePhone.close();

  // The result page of the municipality, and a download opened as XLSX.
  // The first page built from a report computes the publication gate of
  // every report table, which without a warm protection cache takes tens of
  // seconds (minutes under the sanitizers); later pages come from the cache.
  coordinator.setDefaultTimeout(600000);
  coordinator.setDefaultNavigationTimeout(600000);
  const firstBuild = Date.now();
  await coordinator.getByRole('link', { name: 'Resultater' }).first().click();
  await coordinator.waitForLoadState('load');
  console.log(`  (resultatsiden ble bygd på ${((Date.now() - firstBuild) / 1000).toFixed(1)} s)`);
  coordinator.setDefaultTimeout(30000);
  coordinator.setDefaultNavigationTimeout(30000);
  check(coordinator.url().endsWith('/resultater') && await coordinator.locator('div.landing').count() === 1, 'koordinatoren kommer til resultatsiden for kommunen');
  await audit(coordinator, 'resultatsiden for kommunen');
  await coordinator.locator('nav.landing-themes a').first().click();
  check(/\/tema\//.test(coordinator.url()), `et tema har sin egen side (${coordinator.url()})`);
  await audit(coordinator, 'en temaside for kommunen');
  await coordinator.goBack();
  check(await coordinator.locator('figure svg').count() > 0, 'resultatsiden har ferdige diagrammer');
  check(await coordinator.locator('a[href$=".pdf"]').count() > 0, 'resultatsiden lenker til rapporten');
  refusing = true;
  const other = await coordinator.request.get(`${base}/resultater/kommune/9001`);
  refusing = false;
  check(other.status() === 403 || other.status() === 404, `en annen kommunes resultatside er stengt (${other.status()})`);
  await coordinator.goto(`${base}/utforsk?familie=risk_identification&kommune=${coordinatorMunicipality}`);
  await coordinator.evaluate(() => { window.samePage = true; });
  await coordinator.locator('#f-etter').selectOption('stilling');
  await coordinator.waitForFunction(() => new URL(location.href).searchParams.get('etter') === 'stilling');
  await coordinator.waitForFunction(() => document.getElementById('utforsk-status')?.textContent.trim());
  check(await coordinator.evaluate(() => window.samePage === true), 'utforskeren oppdaterer resultatet uten å laste siden på nytt');
  await audit(coordinator, 'utforskeren etter et nytt valg');
  const [xlsx] = await Promise.all([
    coordinator.waitForEvent('download'),
    coordinator.getByRole('link', { name: /Excel \(XLSX\)/ }).click(),
  ]);
  const xlsxPath = await xlsx.path();
  const sheets = execFileSync('unzip', ['-l', xlsxPath], { encoding: 'utf8' });
  const strings = execFileSync('unzip', ['-p', xlsxPath, 'xl/sharedStrings.xml'], { encoding: 'utf8' });
  check(/xl\/workbook\.xml/.test(sheets) && /xl\/worksheets\/sheet1\.xml/.test(sheets) && xlsx.suggestedFilename().endsWith('.xlsx'),
    `nedlastingen er en Excel-arbeidsbok (${xlsx.suggestedFilename()})`);
  check(/Barnehage|Leder|stilling/i.test(strings), 'arbeidsboken har resultatet');
  await office.close();

  // --- The administration pages meet WCAG too ---
  for (const [path, what] of [['/', 'oversikten'], ['/kompetanse', 'kompetansedelingen'],
                              ['/kompetanse?analyse=par&kommune=' + municipality, 'delingsparene'],
                              ['/rapporter', 'rapportsiden'], ['/admin/import', 'importsiden'],
                              ['/admin/brukere', 'brukersiden'], ['/admin/logg', 'revisjonsloggen']]) {
    await admin.goto(`${base}${path}`);
    await audit(admin, what);
  }

  // --- A refused form ties its errors to the fields and keeps the name ---
  await admin.goto(`${base}/admin/brukere`);
  await admin.locator('#ny-brukernavn').fill('ny-koordinator');
  await admin.locator('#ny-rolle').selectOption('municipal');
  refusing = true;
  await Promise.all([admin.waitForNavigation(), admin.getByRole('button', { name: 'Opprett bruker' }).click()]);
  await admin.waitForLoadState('load');
  refusing = false;
  await errorsTied(admin, 'brukerskjemaet');
  check(await admin.locator('#ny-brukernavn').inputValue() === 'ny-koordinator', 'brukerskjemaet beholder navnet etter en feil');
  await axe(admin, 'brukerskjemaet med feil');

  // --- Explore a result and download it ---
  console.log('Utforsker: resultat og nedlasting');
  await admin.goto(`${base}/utforsk`);
  await audit(admin, 'utforskeren');
  await admin.locator('select[name=familie]').selectOption('risk_identification');
  await admin.locator('select[name=etter]').first().selectOption('tjeneste');
  await admin.waitForLoadState('networkidle');
  await admin.getByRole('button', { name: /Vis/ }).click();
  check(admin.url().includes('familie=risk_identification'), 'adressen gjengir utvalget');
  check(await admin.locator('table').count() > 0 && await admin.locator('svg').count() > 0, 'tabell og diagram vises');
  await audit(admin, 'utforskeren med et resultat');
  const [download] = await Promise.all([
    admin.waitForEvent('download'),
    admin.getByRole('link', { name: /CSV/ }).click(),
  ]);
  const csv = readFileSync(await download.path(), 'utf8');
  check(csv.split('\n').length > 5 && /Barnehage/.test(csv), `CSV-filen er lastet ned (${download.suggestedFilename()})`);
  await browser.close();
} catch (error) {
  failures.push(`uventet feil: ${error.stack || error}`);
}

server.kill('SIGTERM');
rmSync(work, { recursive: true, force: true });
console.log(`axe (WCAG 2.1 A og AA): ${axeRuns.scans} skanninger, ${axeRuns.violations} brudd.`);
console.log(`Målt: omflyt på ${measured.reflow} sider, fokuskontrast på ${measured.focus}, diagramtekster på ${measured.labels}, feil knyttet til felt i ${measured.errors} skjemaer.`);
if (failures.length) {
  console.error(`\n${failures.length} feil:`);
  for (const f of failures) console.error(`- ${f}`);
  exitCode = 1;
} else {
  console.log('\nAlle nettlesertestene bestod.');
}
process.exit(exitCode);
