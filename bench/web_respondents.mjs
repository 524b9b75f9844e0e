// Many respondents answering one survey at the same time, over plain HTTP
// like a browser without JavaScript: follow the forms, pick the first
// option of every question, press «Neste» until «Send inn», then «Takk».
// Prints how many finished and how long it took. Used by bench/web_load.sh.
//
// Usage: node bench/web_respondents.mjs SURVEY_URL COUNT
import { answerSurvey } from '../tests/support/survey_respondent.mjs';

const [surveyUrl, countText] = process.argv.slice(2);
const count = Number(countText);
if (!surveyUrl || !(count > 0)) {
  console.error('bruk: node web_respondents.mjs SURVEY_URL ANTALL');
  process.exit(2);
}
const started = performance.now();
const results = await Promise.allSettled(Array.from({ length: count }, () => answerSurvey(surveyUrl)));
const seconds = (performance.now() - started) / 1000;
const failed = results.filter((r) => r.status === 'rejected');
for (const f of failed.slice(0, 5)) console.error(`feil: ${f.reason?.message ?? f.reason}`);
console.log(JSON.stringify({ respondents: count, finished: count - failed.length, failed: failed.length, seconds: Number(seconds.toFixed(2)) }));
process.exit(failed.length ? 1 : 0);
