// The CouchDB-protocol side of the comparison (scripts/bench-vs-couchdb): the same documents as
// the load bench's batched push, sent to a CouchDB-protocol server (pouchdb-server on LevelDB,
// started by the script) the ways a PouchDB app would, each timed.
//
//   node replicate.js SERVER_URL SAMPLE_JSON
//
// SAMPLE_JSON is one visit as the load bench pushes it (`LOAD_ONLY=sample`); each document is
// that visit with a fresh id and the bench's own words, made with the bench's own generator,
// so sizes match. Each figure is measured two ways: PouchDB's replication (what an
// offline-first PouchDB app does, and what the figures were), and the plainest request
// that does the same job (`_bulk_docs`, `_changes`, one PUT), which no replicating app sends
// alone but which shows the server's own speed.

import { readFileSync } from 'node:fs';
import { randomUUID } from 'node:crypto';
import PouchDB from 'pouchdb';
import memory from 'pouchdb-adapter-memory';

PouchDB.plugin(memory);

const [url, samplePath] = process.argv.slice(2);
const sample = JSON.parse(readFileSync(samplePath, 'utf8'));

const WORDS = ['school', 'mum', 'dinner', 'football', 'brother', 'tired', 'happy', 'room', 'teacher', 'park',
  'bedtime', 'friends', 'worried', 'dog', 'weekend', 'homework'];
const MASK = (1n << 64n) - 1n;

// The load bench's `prose`, word for word.
function prose(seed, words) {
  let state = (BigInt(seed) ^ 0x9e3779b97f4a7c15n) & MASK;
  const out = [];
  for (let i = 0; i < words; i++) {
    state = (state * 6364136223846793005n + 1442695040888963407n) & MASK;
    out.push(WORDS[Number((state >> 33n) % 16n)]);
  }
  return out.join(' ');
}

// The load bench's `visit(…, n)`, as a document.
function doc(n) {
  const d = structuredClone(sample);
  delete d.id;
  d._id = randomUUID();
  d.child_words = [{ text: prose(n * 7 + 1, 14) }, { text: prose(n * 7 + 2, 10) }];
  d.child_views = prose(n * 7 + 3, 35);
  d.observations = { facts: prose(n * 7 + 4, 40), concerns: prose(n * 7 + 5, 30) };
  return d;
}

const seconds = (start) => Number(process.hrtime.bigint() - start) / 1e9;
const now = () => process.hrtime.bigint();
const perSecond = (count, start) => Math.round(count / seconds(start));

async function main() {
  const BATCHES = 40;
  const PER = 500;
  const docs = Array.from({ length: BATCHES * PER }, (_, n) => doc(n));
  const bytes = Math.round(docs.slice(0, 100).reduce((sum, d) => sum + JSON.stringify(d).length, 0) / 100);
  console.log(`documents of ${bytes} B of JSON`);

  // Push: PouchDB's replication from a local database, 500 a batch.
  const local = new PouchDB('local', { adapter: 'memory' });
  for (let i = 0; i < docs.length; i += PER) await local.bulkDocs(docs.slice(i, i + PER));
  const replicated = new PouchDB(`${url}/replicated`);
  let start = now();
  const pushed = await PouchDB.replicate(local, replicated, { batch_size: PER });
  const replicatePush = perSecond(pushed.docs_written, start);

  // Push: _bulk_docs, 500 a request, one after another.
  const bulk = new PouchDB(`${url}/bulk`);
  const fresh = Array.from({ length: BATCHES * PER }, (_, n) => doc(n));
  start = now();
  let written = 0;
  for (let i = 0; i < fresh.length; i += PER) {
    const results = await bulk.bulkDocs(fresh.slice(i, i + PER));
    written += results.filter((r) => r.ok).length;
  }
  const bulkPush = perSecond(written, start);
  console.log(`push: replication ${replicatePush} docs/s (${pushed.docs_written} docs); _bulk_docs ${bulkPush} docs/s (${written} docs)`);

  // Pull: PouchDB's replication to an empty local database, 500 a batch.
  const back = new PouchDB('back', { adapter: 'memory' });
  start = now();
  const pulled = await PouchDB.replicate(replicated, back, { batch_size: PER });
  const replicatePull = perSecond(pulled.docs_written, start);

  // Pull: _changes with the documents, 5,000 a page, as the load bench pulls.
  start = now();
  let since = 0;
  let changed = 0;
  for (;;) {
    const page = await bulk.changes({ since, limit: 5000, include_docs: true });
    changed += page.results.length;
    since = page.last_seq;
    if (page.results.length < 5000) break;
  }
  const changesPull = perSecond(changed, start);
  console.log(`pull: replication ${replicatePull} docs/s (${pulled.docs_written} docs); _changes ${changesPull} docs/s (${changed} docs)`);

  // A lone document, 200 times one after another: saved locally with a live replication
  // running (timed from the save until the replication has written it to the server), and PUT.
  const p50 = (times) => [...times].sort((a, b) => a - b)[Math.floor(times.length / 2)];
  const p99 = (times) => [...times].sort((a, b) => a - b)[Math.floor(times.length * 0.99)];
  const live = PouchDB.replicate(local, replicated, { live: true });
  let wrote = () => {};
  live.on('change', (info) => {
    if (info.docs_written > 0) wrote();
  });
  const replicateTimes = [];
  const putTimes = [];
  for (let i = 0; i < 200; i++) {
    start = now();
    const written = new Promise((resolve) => {
      wrote = resolve;
    });
    await local.put(doc(100_000 + i));
    await written;
    replicateTimes.push(seconds(start) * 1000);
    const one = doc(200_000 + i);
    start = now();
    await bulk.put(one);
    putTimes.push(seconds(start) * 1000);
  }
  live.cancel();
  const ms = (v) => v.toFixed(2);
  console.log(`lone document: live replication p50 ${ms(p50(replicateTimes))} ms, p99 ${ms(p99(replicateTimes))} ms; PUT p50 ${ms(p50(putTimes))} ms, p99 ${ms(p99(putTimes))} ms`);
  console.log(`REPLICATION push ${replicatePush} docs/s, pull ${replicatePull} docs/s, lone p50 ${ms(p50(replicateTimes))} ms`);
  console.log(`PLAIN REQUESTS push ${bulkPush} docs/s, pull ${changesPull} docs/s, lone p50 ${ms(p50(putTimes))} ms`);
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
