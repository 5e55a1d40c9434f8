// Drives a running `leakdex serve` with the published, unmodified `hibp` npm
// client (wKovacs64/hibp, pinned to 15.2.1 in package.json). Only the library's
// public functions are used; the only thing we change is its `baseUrl` option.
//
// What hibp@15.2.1 actually does (read from node_modules/hibp/dist/esm):
//
// * Base URL: every function takes `options.baseUrl`, default
//   "https://haveibeenpwned.com/api/v3" — i.e. it INCLUDES the /api/v3 suffix.
//   One trailing "/" is stripped, then the endpoint ("/breaches?" …) is
//   appended, so we pass `${LEAKDEX_BASE}/api/v3`.
// * Paths sent (the library builds "/breaches?" / ".../<acct>?" with a bare
//   "?" when there are no params; Node's fetch drops the empty query, so on
//   the wire it is plain "GET /api/v3/breaches" — verified against a mock):
//     breaches()            GET /api/v3/breaches?            [+ domain=<d>]
//     breach(name)          GET /api/v3/breach/<encodeURIComponent(name)>
//     dataClasses()         GET /api/v3/dataclasses
//     breachedAccount(acct) GET /api/v3/breachedaccount/<encodeURIComponent(acct)>?
//       ('@' arrives percent-encoded as %40), params joined with '&', only
//       ever the non-default values:
//         domain=<d>                 when options.domain is set
//         includeUnverified=false    when options.includeUnverified === false
//         truncateResponse=false     when options.truncate === false
//       (default truncate=true and includeUnverified=true send NO parameter,
//       so the server's defaults must be truncate=true, includeUnverified=true).
// * Headers: "HIBP-API-Key: <key>" only if options.apiKey is truthy (it is
//   never sent by breaches(), which drops apiKey; breach()/dataClasses() pass
//   their whole options object through, so they would send it if given);
//   "User-Agent: <options.userAgent>" or, in Node, "hibp 15.2.1" by default.
//   No Accept header is set by the library (Node's fetch sends "accept: */*").
// * Responses (fetchFromApi):
//     any 2xx (response.ok) -> response.json()  (so 2xx bodies MUST be JSON;
//                              a 204/empty body would throw a SyntaxError)
//     404 -> resolves null (body ignored) — "not found"/"no breaches"
//     400 -> throws Error("Bad request — the account does not comply with an
//            acceptable format.") (fixed text, body ignored)
//     401 -> throws Error(<raw response body text>)  (our server's JSON body
//            becomes the message verbatim)
//     403 -> throws Error("Request blocked, ... (Ray ID: <cf-ray>)") if a
//            cf-ray header is present, else Error("Forbidden - access denied.")
//     429 -> parses the body as JSON and throws RateLimitError(body.message)
//            with retryAfterSeconds = parseInt(Retry-After header) — so a 429
//            body MUST be JSON with a "message" field
//     other -> throws Error(response.statusText)
// * Shapes (types.d.ts): Breach = {Name, Title, Domain, BreachDate, AddedDate,
//   ModifiedDate (strings), PwnCount (number), Description (string),
//   DataClasses (string[]), IsVerified, IsFabricated, IsSensitive, IsRetired,
//   IsSpamList, IsMalware, IsSubscriptionFree (booleans), LogoPath (string)};
//   breaches() -> Breach[]; breach() -> Breach|null; dataClasses() ->
//   string[]|null; breachedAccount() -> Breach[]|null, where the truncated
//   form is [{Name}] only. Nothing is validated by the library; it returns the
//   parsed JSON as-is.
//
// Environment:
//   LEAKDEX_BASE     server root, e.g. http://127.0.0.1:8080 (/api/v3 appended)
//   LEAKDEX_KEY      a valid API key
//   LEAKDEX_ACCOUNT  an address known to be in breach LEAKDEX_BREACH
//   LEAKDEX_BREACH   the breach's Name, e.g. Adobe
//   LEAKDEX_MISSING  an address that is in no breach
//
// Prints one "ok" line per passed check, "FAIL" lines with details, and a
// closing "hibp-client: N passed, M failed"; exits 1 if anything failed.

import { breach, breachedAccount, breaches, dataClasses } from 'hibp';

const USER_AGENT = 'leakdex-test-client';

function env(name) {
  const v = process.env[name];
  if (!v) {
    console.error(`hibp-client: environment variable ${name} is not set`);
    process.exit(2);
  }
  return v;
}

const base = env('LEAKDEX_BASE').replace(/\/+$/, '');
const baseUrl = base.endsWith('/api/v3') ? base : `${base}/api/v3`;
const apiKey = env('LEAKDEX_KEY');
const account = env('LEAKDEX_ACCOUNT');
const breachName = env('LEAKDEX_BREACH');
const missing = env('LEAKDEX_MISSING');

const common = { baseUrl, userAgent: USER_AGENT, timeoutMs: 30_000 };

const BREACH_FIELDS = {
  Name: 'string',
  Title: 'string',
  Domain: 'string',
  BreachDate: 'string',
  AddedDate: 'string',
  ModifiedDate: 'string',
  PwnCount: 'number',
  Description: 'string',
  LogoPath: 'string',
  IsVerified: 'boolean',
  IsFabricated: 'boolean',
  IsSensitive: 'boolean',
  IsRetired: 'boolean',
  IsSpamList: 'boolean',
  IsMalware: 'boolean',
  IsSubscriptionFree: 'boolean',
};

class Mismatch extends Error {}

function assert(cond, msg) {
  if (!cond) throw new Mismatch(msg);
}

function show(v) {
  const s = JSON.stringify(v);
  return s === undefined ? String(v) : s.length > 300 ? `${s.slice(0, 300)}…` : s;
}

/** Asserts `b` has every field of the library's Breach type with the right JS type. */
function assertFullBreach(b, where) {
  assert(b && typeof b === 'object' && !Array.isArray(b), `${where}: not an object: ${show(b)}`);
  for (const [field, type] of Object.entries(BREACH_FIELDS)) {
    assert(typeof b[field] === type, `${where}: field ${field} should be ${type}, got ${show(b[field])}`);
  }
  assert(
    Array.isArray(b.DataClasses) && b.DataClasses.every((c) => typeof c === 'string'),
    `${where}: DataClasses should be string[], got ${show(b.DataClasses)}`,
  );
  assert(/^\d{4}-\d{2}-\d{2}$/.test(b.BreachDate), `${where}: BreachDate not YYYY-MM-DD: ${b.BreachDate}`);
  assert(!Number.isNaN(Date.parse(b.AddedDate)), `${where}: AddedDate not a date: ${b.AddedDate}`);
  assert(!Number.isNaN(Date.parse(b.ModifiedDate)), `${where}: ModifiedDate not a date: ${b.ModifiedDate}`);
}

function sameBreach(a, b, where) {
  for (const field of [...Object.keys(BREACH_FIELDS), 'DataClasses']) {
    assert(
      JSON.stringify(a[field]) === JSON.stringify(b[field]),
      `${where}: ${field} differs: ${show(a[field])} vs ${show(b[field])}`,
    );
  }
}

function describeError(err) {
  let msg = `${err?.name ?? 'Error'}: ${err?.message ?? err}`;
  if (err?.cause) msg += ` (cause: ${err.cause?.code ?? ''} ${err.cause?.message ?? err.cause})`;
  return msg;
}

let passed = 0;
let failed = 0;

async function check(name, fn) {
  try {
    const detail = await fn();
    passed += 1;
    console.log(`ok   ${name}${detail ? ` — ${detail}` : ''}`);
  } catch (err) {
    failed += 1;
    console.log(`FAIL ${name} — ${err instanceof Mismatch ? err.message : `unexpected ${describeError(err)}`}`);
  }
}

console.log(`hibp-client: hibp@15.2.1 against baseUrl ${baseUrl}`);

let reference = null; // breach(LEAKDEX_BREACH), used to compare the other shapes

await check(`breaches() lists ${breachName} with full fields`, async () => {
  const all = await breaches(common);
  assert(Array.isArray(all), `breaches() should resolve to an array, got ${show(all)}`);
  const hit = all.find((b) => b?.Name === breachName);
  assert(hit, `breaches() has no entry Name=${breachName} (${all.length} entries)`);
  assertFullBreach(hit, `breaches()[Name=${breachName}]`);
  all.forEach((b, i) => assertFullBreach(b, `breaches()[${i}]`));
  return `${all.length} breaches`;
});

await check(`breach('${breachName}') returns that breach`, async () => {
  const b = await breach(breachName, common);
  assert(b !== null, `breach('${breachName}') resolved null (server answered 404)`);
  assertFullBreach(b, `breach('${breachName}')`);
  assert(b.Name === breachName, `breach('${breachName}').Name is ${show(b.Name)}`);
  reference = b;
  return `Title=${show(b.Title)}, PwnCount=${b.PwnCount}, ${b.DataClasses.length} data classes`;
});

await check(`breaches({domain}) filters by the breach's domain`, async () => {
  assert(reference, 'needs breach() to have passed');
  if (!reference.Domain) return `skipped: ${breachName} has an empty Domain`;
  const list = await breaches({ ...common, domain: reference.Domain });
  assert(Array.isArray(list), `breaches({domain}) should resolve to an array, got ${show(list)}`);
  assert(list.some((b) => b.Name === breachName), `breaches({domain:'${reference.Domain}'}) lacks ${breachName}`);
  const other = list.find((b) => b.Domain.toLowerCase() !== reference.Domain.toLowerCase());
  assert(!other, `breaches({domain:'${reference.Domain}'}) includes ${other?.Name} (Domain=${show(other?.Domain)})`);
  return `${list.length} breach(es) for ${reference.Domain}`;
});

await check(`breach('NoSuchBreach') resolves null`, async () => {
  const b = await breach('NoSuchBreach', common);
  assert(b === null, `expected null (HTTP 404), got ${show(b)}`);
});

await check(`dataClasses() contains 'Email addresses'`, async () => {
  const classes = await dataClasses(common);
  assert(Array.isArray(classes), `dataClasses() should resolve to an array, got ${show(classes)}`);
  assert(classes.every((c) => typeof c === 'string'), `dataClasses() has non-strings: ${show(classes)}`);
  assert(classes.includes('Email addresses'), `dataClasses() lacks 'Email addresses': ${show(classes)}`);
  return `${classes.length} data classes`;
});

await check(`breachedAccount(account, {truncate:false}) has ${breachName} in full`, async () => {
  const list = await breachedAccount(account, { ...common, apiKey, truncate: false });
  assert(list !== null, `resolved null (HTTP 404) for ${account}`);
  assert(Array.isArray(list), `should resolve to an array, got ${show(list)}`);
  const hit = list.find((b) => b?.Name === breachName);
  assert(hit, `no ${breachName} among ${show(list.map((b) => b?.Name))}`);
  list.forEach((b, i) => assertFullBreach(b, `breachedAccount(full)[${i}]`));
  if (reference) sameBreach(hit, reference, `breachedAccount(full)[${breachName}] vs breach()`);
  return `${list.length} breach(es): ${list.map((b) => b.Name).join(', ')}`;
});

await check(`breachedAccount(account) truncated returns names only`, async () => {
  const list = await breachedAccount(account, { ...common, apiKey });
  assert(list !== null, `resolved null (HTTP 404) for ${account}`);
  assert(Array.isArray(list), `should resolve to an array, got ${show(list)}`);
  assert(list.some((b) => b?.Name === breachName), `no ${breachName} among ${show(list)}`);
  for (const b of list) {
    const keys = Object.keys(b ?? {});
    assert(keys.length === 1 && keys[0] === 'Name' && typeof b.Name === 'string', `truncated entry is not {Name}: ${show(b)}`);
  }
  return show(list);
});

await check(`breachedAccount(missing) resolves null`, async () => {
  const list = await breachedAccount(missing, { ...common, apiKey });
  assert(list === null, `expected null (HTTP 404) for ${missing}, got ${show(list)}`);
});

await check(`breachedAccount with a wrong apiKey throws`, async () => {
  let result;
  try {
    result = await breachedAccount(account, { ...common, apiKey: `${apiKey}-wrong` });
  } catch (err) {
    assert(err instanceof Error && err.message, `threw a non-Error or empty message: ${show(err)}`);
    return `threw ${describeError(err)}`;
  }
  throw new Mismatch(`expected a rejection, resolved ${show(result)}`);
});

await check(`breachedAccount without an apiKey throws`, async () => {
  let result;
  try {
    result = await breachedAccount(account, common);
  } catch (err) {
    assert(err instanceof Error && err.message, `threw a non-Error or empty message: ${show(err)}`);
    return `threw ${describeError(err)}`;
  }
  throw new Mismatch(`expected a rejection, resolved ${show(result)}`);
});

console.log(`hibp-client: ${passed} passed, ${failed} failed`);
process.exit(failed === 0 ? 0 : 1);
