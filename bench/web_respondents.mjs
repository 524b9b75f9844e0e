// Many respondents answering one survey at the same time, over plain HTTP
// like a browser without JavaScript: follow the forms, pick the first
// option of every question, press «Neste» until «Send inn», then «Takk».
// Prints how many finished and how long it took. Used by bench/web_load.sh.
//
// Usage: node bench/web_respondents.mjs SURVEY_URL COUNT
const [surveyUrl, countText] = process.argv.slice(2);
const count = Number(countText);
if (!surveyUrl || !(count > 0)) {
  console.error('bruk: node web_respondents.mjs SURVEY_URL ANTALL');
  process.exit(2);
}
const origin = new URL(surveyUrl).origin;

function decode(text) {
  return text.replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');
}
function attribute(tag, name) {
  const m = new RegExp(`\\s${name}="([^"]*)"`).exec(tag);
  return m ? decode(m[1]) : null;
}

// The first POST form of a page: its action, the fields a browser would send
// with the first option of each radio group, and the forward button.
function firstForm(html) {
  const form = /<form[^>]*method="post"[^>]*>([\s\S]*?)<\/form>/i.exec(html);
  if (!form) return null;
  const action = attribute(form[0].slice(0, form[0].indexOf('>') + 1), 'action');
  const fields = new URLSearchParams();
  const radios = new Set();
  for (const [tag] of form[1].matchAll(/<input[^>]*>/g)) {
    const type = attribute(tag, 'type') || 'text';
    const name = attribute(tag, 'name');
    if (!name) continue;
    if (type === 'hidden') fields.append(name, attribute(tag, 'value') ?? '');
    if (type === 'radio' && !radios.has(name)) {
      radios.add(name);
      fields.append(name, attribute(tag, 'value') ?? '');
    }
  }
  const buttons = [...form[1].matchAll(/<button([^>]*)>([\s\S]*?)<\/button>/g)];
  const forward = buttons.find((b) => /Neste|Send inn|Start|Begynn/i.test(b[2])) || buttons[buttons.length - 1];
  if (forward) {
    const name = attribute(forward[1], 'name');
    if (name) fields.append(name, attribute(forward[1], 'value') ?? '');
  }
  return { action, fields };
}

async function respondent() {
  const cookies = new Map();
  const cookieHeader = () => [...cookies].map(([k, v]) => `${k}=${v}`).join('; ');
  const remember = (response) => {
    for (const line of response.headers.getSetCookie()) {
      const [pair] = line.split(';');
      const eq = pair.indexOf('=');
      const value = pair.slice(eq + 1);
      if (value === '' || /Max-Age=0/.test(line)) cookies.delete(pair.slice(0, eq));
      else cookies.set(pair.slice(0, eq), value);
    }
  };
  let url = surveyUrl;
  let response = await fetch(url, { headers: { cookie: cookieHeader() }, redirect: 'manual' });
  remember(response);
  for (let step = 0; step < 60; ++step) {
    if (response.status === 303) {
      url = new URL(response.headers.get('location'), origin).href;
      response = await fetch(url, { headers: { cookie: cookieHeader() }, redirect: 'manual' });
      remember(response);
      continue;
    }
    const html = await response.text();
    if (response.status !== 200) throw new Error(`HTTP ${response.status} på ${url}: ${html.slice(0, 200)}`);
    if (/Takk for svaret/i.test(html)) return true;
    const form = firstForm(html);
    if (!form) throw new Error(`fant ikke noe skjema på ${url}`);
    response = await fetch(new URL(form.action || url, url).href, {
      method: 'POST',
      headers: { cookie: cookieHeader(), 'content-type': 'application/x-www-form-urlencoded' },
      body: form.fields.toString(),
      redirect: 'manual',
    });
    remember(response);
  }
  throw new Error('for mange steg uten å komme til takkesiden');
}

const started = performance.now();
const results = await Promise.allSettled(Array.from({ length: count }, () => respondent()));
const seconds = (performance.now() - started) / 1000;
const failed = results.filter((r) => r.status === 'rejected');
for (const f of failed.slice(0, 5)) console.error(`feil: ${f.reason?.message ?? f.reason}`);
console.log(JSON.stringify({ respondents: count, finished: count - failed.length, failed: failed.length, seconds: Number(seconds.toFixed(2)) }));
process.exit(failed.length ? 1 : 0);
