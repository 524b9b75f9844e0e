// One respondent answering a Samkart survey over plain HTTP, like a browser
// without JavaScript: follow the forms, pick the first option of every
// question, press «Neste» until «Send inn», then «Takk». Shared by
// bench/web_respondents.mjs (load) and tests/postgres/concurrency.mjs
// (two servers on one database).

function decode(text) {
  return text.replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');
}
function attribute(tag, name) {
  const m = new RegExp(`\\s${name}="([^"]*)"`).exec(tag);
  return m ? decode(m[1]) : null;
}

// The first POST form of a page: its action, the fields a browser would send
// with the first option of each radio group, and the forward button.
export function firstForm(html) {
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
  return { action, fields, sends: Boolean(forward && /Send inn/i.test(forward[2])) };
}

// Cookies as a browser keeps them for one host (ports share cookies).
export class CookieJar {
  constructor() { this.cookies = new Map(); }
  header() { return [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; '); }
  get(name) { return this.cookies.get(name); }
  remember(response) {
    for (const line of response.headers.getSetCookie()) {
      const [pair] = line.split(';');
      const eq = pair.indexOf('=');
      const value = pair.slice(eq + 1);
      if (value === '' || /Max-Age=0/.test(line)) this.cookies.delete(pair.slice(0, eq));
      else this.cookies.set(pair.slice(0, eq), value);
    }
  }
}

// What a POST of the final form got: «stored» (303 to the thanks page),
// «already» (the page that says the answer was already sent in) or «other».
async function submission(response) {
  const location = response.headers.get('location') || '';
  if (response.status === 303 && /\/takk$/.test(location)) return { status: 303, outcome: 'stored', location };
  const html = await response.text();
  if (response.status === 200 && /allerede sendt inn/i.test(html)) return { status: 200, outcome: 'already' };
  return { status: response.status, outcome: 'other', text: html.slice(0, 200) };
}

// Answers the survey at surveyUrl. Resolves when the thanks page is reached
// and throws otherwise. Options:
//   origins   servers to send the requests to in turn (default: the link's
//             own), like a load balancer without sticky sessions
//   resubmit  'again': after «Takk», post the final form once more with the
//             cookie the browser had (a second click on «Send inn»);
//             'parallel': post the final form to two servers at once
// The result has the number of requests and every final post's outcome.
export async function answerSurvey(surveyUrl, { origins, resubmit } = {}) {
  const servers = origins?.length ? origins : [new URL(surveyUrl).origin];
  let turn = 0;
  const next = (url) => {
    const target = new URL(url);
    const server = new URL(servers[turn++ % servers.length]);
    target.protocol = server.protocol;
    target.host = server.host;
    return target.href;
  };
  const jar = new CookieJar();
  let requests = 0;
  const get = async (url) => {
    ++requests;
    const response = await fetch(next(url), { headers: { cookie: jar.header() }, redirect: 'manual' });
    jar.remember(response);
    return response;
  };
  const post = async (url, body, cookie = jar.header()) => {
    ++requests;
    return fetch(url, {
      method: 'POST',
      headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' },
      body,
      redirect: 'manual',
    });
  };

  const submissions = [];
  let url = surveyUrl;
  let response = await get(url);
  for (let step = 0; step < 60; ++step) {
    if (response.status === 303) {
      url = new URL(response.headers.get('location'), url).href;
      response = await get(url);
      continue;
    }
    const html = await response.text();
    if (response.status !== 200) throw new Error(`HTTP ${response.status} på ${url}: ${html.slice(0, 200)}`);
    if (/Takk for svaret/i.test(html)) return { requests, submissions };
    const form = firstForm(html);
    if (!form) throw new Error(`fant ikke noe skjema på ${url}`);
    const action = new URL(form.action || url, url).href;
    const body = form.fields.toString();
    if (!form.sends || !resubmit) {
      response = await post(next(action), body);
      jar.remember(response);
      continue;
    }
    // The final form, posted more than once with the same draft cookie.
    const cookie = jar.header();
    if (resubmit === 'parallel') {
      const responses = await Promise.all([post(next(action), body, cookie), post(next(action), body, cookie)]);
      const outcomes = await Promise.all(responses.map(submission));
      submissions.push(...outcomes);
      const stored = responses.find((r, i) => outcomes[i].outcome === 'stored');
      if (!stored) throw new Error(`ingen av to samtidige innsendinger ble lagret: ${JSON.stringify(outcomes)}`);
      jar.remember(stored);
      response = stored;
      continue;
    }
    response = await post(next(action), body, cookie);
    jar.remember(response);
    const first = await submission(response.clone());
    submissions.push(first);
    if (first.outcome === 'stored') submissions.push(await submission(await post(next(action), body, cookie)));
  }
  throw new Error('for mange steg uten å komme til takkesiden');
}
