#!/usr/bin/env node
// TEST-ONLY tooling: signs credentials with Digital Bazaar's stack
// (DataIntegrityProof, eddsa-rdfc-2022) from a fixed Ed25519 seed, so tests can
// build inputs for verify.mjs (for example status list cases) that our own
// issuer code did not produce. Never use it for anything but test data.
//
//   node sign.mjs < request.json > response.json
//
// Request:
//   {
//     "seed": "<64 hex chars>",            // the Ed25519 private key seed, or
//     "keyPair": {"publicKeyMultibase": "z6Mk...",   // a Multikey key pair
//                 "secretKeyMultibase": "z3u2..."},  // (or privateKeyMultibase)
//     "controller": "did:web:...",         // optional; default: the did:key
//     "keyId": "did:web:...#key-1",        // optional; default <controller>#<key>
//     "created": "2024-01-01T00:00:00Z",   // optional proof.created
//     "proofAsArray": false,               // optional: emit "proof": [ {...} ]
//     "credentials": [<unsigned VC>, ...], // may be empty (just derive the key)
//     "documents": {"<url>": <json>}       // optional extra contexts
//   }
// Response:
//   {
//     "publicKeyMultibase": "z6Mk...", "controller": "...",
//     "verificationMethod": "...#...",
//     "controllerDocument": {...},          // put it into verify.mjs "documents"
//                                           // when the controller is not a did:key
//     "credentials": [<signed VC>, ...]
//   }

import * as vc from '@digitalbazaar/vc';
import {DataIntegrityProof} from '@digitalbazaar/data-integrity';
import {cryptosuite as eddsaRdfc2022} from
  '@digitalbazaar/eddsa-rdfc-2022-cryptosuite';
import * as Ed25519Multikey from '@digitalbazaar/ed25519-multikey';

import {OfflineWorld, readRequest} from './verify.mjs';

function fail(message) {
  process.stderr.write(`sign.mjs: ${message}\n`);
  process.exit(2);
}

async function main() {
  const request = readRequest('sign.mjs');
  const {seed, credentials = [], created, proofAsArray = false} = request;
  if(!Array.isArray(credentials)) {
    fail('"credentials" must be an array');
  }
  let load;
  if(request.keyPair) {
    // the W3C test vectors call the secret key "privateKeyMultibase"
    const {publicKeyMultibase} = request.keyPair;
    const secretKeyMultibase = request.keyPair.secretKeyMultibase ??
      request.keyPair.privateKeyMultibase;
    if(!secretKeyMultibase) {
      fail('"keyPair" needs "secretKeyMultibase" (or "privateKeyMultibase")');
    }
    load = ({id, controller}) => Ed25519Multikey.from({
      type: 'Multikey', id, controller, publicKeyMultibase, secretKeyMultibase
    });
  } else if(typeof seed === 'string' && /^[0-9a-fA-F]{64}$/.test(seed)) {
    const seedBytes = Uint8Array.from(Buffer.from(seed, 'hex'));
    load = ({id, controller}) => Ed25519Multikey.generate({
      seed: seedBytes, id, controller
    });
  } else {
    fail('give "seed" (64 hex characters) or "keyPair" (Multikey)');
  }
  const probe = await load({});
  const {publicKeyMultibase} = probe;
  const controller = request.controller ?? `did:key:${publicKeyMultibase}`;
  const id = request.keyId ?? (controller.startsWith('did:key:') ?
    `${controller}#${publicKeyMultibase}` : `${controller}#key-1`);
  const keyPair = await load({id, controller});
  const controllerDocument = {
    '@context': [
      'https://www.w3.org/ns/did/v1', 'https://w3id.org/security/multikey/v1'
    ],
    id: controller,
    verificationMethod: [{
      id, type: 'Multikey', controller, publicKeyMultibase
    }],
    assertionMethod: [id],
    authentication: [id]
  };

  const world = new OfflineWorld(request.documents ?? {});
  const signed = [];
  for(const [i, credential] of credentials.entries()) {
    const suite = new DataIntegrityProof({
      signer: keyPair.signer(), cryptosuite: eddsaRdfc2022,
      ...(created && {date: created})
    });
    try {
      const result = await vc.issue({
        credential: structuredClone(credential), suite,
        documentLoader: world.documentLoader
      });
      if(proofAsArray && !Array.isArray(result.proof)) {
        result.proof = [result.proof];
      }
      signed.push(result);
    } catch(e) {
      fail(`credentials[${i}]: ${e.message}` +
        (e.details ? ` ${JSON.stringify(e.details)}` : ''));
    }
  }
  process.stdout.write(JSON.stringify({
    publicKeyMultibase, controller, verificationMethod: id, controllerDocument,
    credentials: signed
  }));
  process.stdout.write('\n');
}

main().catch(e => {
  process.stderr.write(`sign.mjs: internal error: ${e?.stack ?? e}\n`);
  process.exit(3);
});
