#!/usr/bin/env node
// Benchmark tooling: issues credentials with Digital Bazaar's @digitalbazaar/vc
// (DataIntegrityProof, eddsa-rdfc-2022, Ed25519) the way a Node issuer would,
// to measure its throughput against microcert's on the same credentials,
// with the same kind of key and the same contexts, offline.
//
//   node issue.mjs REQUEST.json > response.json
//
// REQUEST.json:
//   {"seed": "<64 hex>",                     // Ed25519 private key seed
//    "controller": "did:web:...",            // optional; default the did:key
//    "keyId": "did:web:...#key-1",           // optional verification method
//    "created": "2026-01-01T00:00:00Z",      // optional proof.created
//    "warmup": 20,                           // signed first, not timed
//    "credentials": [<unsigned VC>, ...],
//    "documents": {"<url>": <json>},         // optional extra documents
//    "returnCredentials": false}             // include the signed ones
// Response: {"count", "seconds", "perSecond", "credentials"?}; seconds is
// the wall time of issuing `credentials` (after the warm-up), proof as an
// array as microcert writes it. Start-up and loading are not counted.

import {readFileSync} from 'node:fs';

import * as vc from '@digitalbazaar/vc';
import {DataIntegrityProof} from '@digitalbazaar/data-integrity';
import {cryptosuite as eddsaRdfc2022} from
  '@digitalbazaar/eddsa-rdfc-2022-cryptosuite';
import * as Ed25519Multikey from '@digitalbazaar/ed25519-multikey';

import {OfflineWorld} from './verify.mjs';

function fail(message) {
  process.stderr.write(`issue.mjs: ${message}\n`);
  process.exit(2);
}

async function main() {
  let request;
  try {
    request = JSON.parse(readFileSync(process.argv[2] ?? 0, 'utf8'));
  } catch(e) {
    fail(`cannot read the request: ${e.message}`);
  }
  const {seed, credentials, created, warmup = 20} = request;
  if(!Array.isArray(credentials) || !credentials.length) {
    fail('"credentials" must be a non-empty array');
  }
  if(typeof seed !== 'string' || !/^[0-9a-fA-F]{64}$/.test(seed)) {
    fail('"seed" must be 64 hex characters');
  }
  const seedBytes = Uint8Array.from(Buffer.from(seed, 'hex'));
  const probe = await Ed25519Multikey.generate({seed: seedBytes});
  const controller = request.controller ??
    `did:key:${probe.publicKeyMultibase}`;
  const id = request.keyId ?? `${controller}#${probe.publicKeyMultibase}`;
  const keyPair = await Ed25519Multikey.generate({seed: seedBytes, id, controller});
  const world = new OfflineWorld(request.documents ?? {});
  globalThis.fetch = world.fetch;

  const issue = async credential => {
    const suite = new DataIntegrityProof({
      signer: keyPair.signer(), cryptosuite: eddsaRdfc2022,
      ...(created && {date: created})
    });
    const signed = await vc.issue({
      credential: structuredClone(credential), suite,
      documentLoader: world.documentLoader
    });
    if(!Array.isArray(signed.proof)) {
      signed.proof = [signed.proof];
    }
    return signed;
  };
  for(let i = 0; i < warmup; ++i) {
    await issue(credentials[i % credentials.length]);
  }
  const signed = [];
  const started = performance.now();
  for(const credential of credentials) {
    signed.push(await issue(credential));
  }
  const seconds = (performance.now() - started) / 1000;
  const response = {count: credentials.length, seconds,
    perSecond: credentials.length / seconds};
  if(request.returnCredentials) {
    response.credentials = signed;
  }
  process.stdout.write(JSON.stringify(response) + '\n');
}

main().catch(e => {
  process.stderr.write(`issue.mjs: internal error: ${e?.stack ?? e}\n`);
  process.exit(3);
});
