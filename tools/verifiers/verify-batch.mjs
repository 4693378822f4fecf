#!/usr/bin/env node
// Test and benchmark tooling: verifies many credentials in ONE Node process
// with Digital Bazaar's @digitalbazaar/vc (DataIntegrityProof,
// eddsa-rdfc-2022, Bitstring Status List), entirely offline. Starting Node
// and loading the stack takes about a second, so verify.mjs (one process per
// request, two verifier stacks, rich reports) is too slow for a cohort of
// ten thousand; this script reports less per credential, and its own timing.
//
//   node verify-batch.mjs CREDENTIALS.jsonl DOCUMENTS.json > results.jsonl
//
// CREDENTIALS.jsonl: one credential per line.
// DOCUMENTS.json: {"<url>": <json>} as in verify.mjs "documents" (did:web DID
//   documents, status list credentials); did:key is computed.
// Output, one JSON object per line: for every credential
//   {"index": i, "id": <credential id>, "verified": bool, "error": str|null,
//    "revoked": bool|null, "suspended": bool|null}
// and last {"summary": {"count", "verified", "failed", "seconds"}} where
// seconds is the wall time of the verification loop only (no start-up).
// Exit code 0 when the files could be read (failures are results); 2 when not.

import {readFileSync} from 'node:fs';

import * as vc from '@digitalbazaar/vc';
import {DataIntegrityProof} from '@digitalbazaar/data-integrity';
import {cryptosuite as eddsaRdfc2022} from
  '@digitalbazaar/eddsa-rdfc-2022-cryptosuite';
import {checkStatus} from '@digitalbazaar/vc-bitstring-status-list';

import {OfflineWorld} from './verify.mjs';

function fail(message) {
  process.stderr.write(`verify-batch.mjs: ${message}\n`);
  process.exit(2);
}

function messages(error, out = [], depth = 0) {
  if(!error || depth > 6) {
    return out;
  }
  if(Array.isArray(error)) {
    error.forEach(e => messages(e, out, depth + 1));
    return out;
  }
  if(error.message) {
    out.push(error.message);
  }
  messages(error.errors, out, depth + 1);
  messages(error.cause, out, depth + 1);
  return out;
}

function statusSet(result, purpose) {
  const found = (result.statusResult?.results ?? []).filter(
    r => r.credentialStatus?.statusPurpose === purpose);
  return found.length ? found.some(r => r.status === true) : null;
}

async function main() {
  const [credentialsPath, documentsPath] = process.argv.slice(2);
  if(!credentialsPath) {
    fail('usage: verify-batch.mjs CREDENTIALS.jsonl [DOCUMENTS.json]');
  }
  let lines;
  let documents = {};
  try {
    lines = readFileSync(credentialsPath, 'utf8').split('\n').filter(l => l.trim());
    if(documentsPath) {
      documents = JSON.parse(readFileSync(documentsPath, 'utf8'));
    }
  } catch(e) {
    fail(e.message);
  }
  const world = new OfflineWorld(documents);
  globalThis.fetch = world.fetch;  // nothing reaches the network
  const suite = new DataIntegrityProof({cryptosuite: eddsaRdfc2022});
  const out = [];
  let verified = 0;
  const started = performance.now();
  for(const [index, line] of lines.entries()) {
    let credential;
    try {
      credential = JSON.parse(line);
    } catch(e) {
      out.push(JSON.stringify({index, id: null, verified: false,
        error: `not JSON: ${e.message}`, revoked: null, suspended: null}));
      continue;
    }
    let report;
    try {
      const result = await vc.verifyCredential({
        credential, suite, documentLoader: world.documentLoader, checkStatus
      });
      const ok = result.verified === true;
      report = {
        index, id: credential?.id ?? null, verified: ok,
        error: ok ? null : [...new Set(messages(result.error ??
          result.statusResult?.error))].join('; ') || 'not verified',
        revoked: statusSet(result, 'revocation'),
        suspended: statusSet(result, 'suspension')
      };
    } catch(e) {
      report = {index, id: credential?.id ?? null, verified: false,
        error: `exception: ${messages(e).join('; ')}`, revoked: null,
        suspended: null};
    }
    verified += report.verified ? 1 : 0;
    out.push(JSON.stringify(report));
  }
  const seconds = (performance.now() - started) / 1000;
  out.push(JSON.stringify({summary: {
    count: lines.length, verified, failed: lines.length - verified, seconds
  }}));
  process.stdout.write(out.join('\n') + '\n');
}

main().catch(e => {
  process.stderr.write(`verify-batch.mjs: internal error: ${e?.stack ?? e}\n`);
  process.exit(3);
});
