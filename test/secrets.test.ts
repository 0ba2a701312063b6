import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { parsePlan } from '../src/plan/parse-plan.js';
import { redact, registerSecret } from '../src/secrets.js';
import { MINIMAL_PLAN } from './support/plan-text.js';

/**
 * A secret no pattern rule recognises (no `scheme://user:…@`, no `password=`, no AccountKey,
 * no `sig=`): only the registry can hide it. Random, because the registry is process-wide
 * and each test must hold alone and in any order.
 */
function plainSecret(): string {
  return `plain${randomBytes(6).toString('hex')}`;
}

describe('the registry of secrets', () => {
  it('hides a registered secret that matches no pattern, every time it appears', () => {
    const secret = plainSecret();
    expect(redact(`token ${secret} and again ${secret}.`)).toBe(`token ${secret} and again ${secret}.`);
    registerSecret(secret);
    expect(redact(`token ${secret} and again ${secret}.`)).toBe('token *** and again ***.');
  });

  it('ignores values too short to be secrets (under 6 characters) and unset ones', () => {
    registerSecret('abcde');
    registerSecret('');
    registerSecret(undefined);
    expect(redact('abcde is a word here')).toBe('abcde is a word here');
    const six = `q${randomBytes(3).toString('hex').slice(0, 5)}`;
    expect(six).toHaveLength(6);
    registerSecret(six);
    expect(redact(`x${six}x`)).toBe('x***x');
  });

  it('registers the value of a ${VAR} interpolated into a secret plan key, and only there', () => {
    const connection = plainSecret();
    const name = plainSecret();
    const text = MINIMAL_PLAN
      .replace('tiles: { uri: "estimated:" }', 'tiles: { uri: "azure://tiles", connection: "${CONN}", account: "${ACCOUNT}" }');
    expect(redact(connection)).toBe(connection);
    parsePlan('plans/x.yaml', text, { env: { CONN: connection, ACCOUNT: name }, machineChecks: 'skip' });
    expect(redact(`using ${connection}`)).toBe('using ***');
    // sources.tiles.account is not writeOnly in the schema: its value may be printed.
    expect(redact(`account ${name}`)).toBe(`account ${name}`);
  });

  it('registers the whole interpolated value of database.url, not only the variable part', () => {
    const password = plainSecret();
    const text = MINIMAL_PLAN.replace('rollout:\n', 'database: { url: "postgres://app@db.example/biomass?x=${PW}" }\nrollout:\n');
    parsePlan('plans/x.yaml', text, { env: { PW: password }, machineChecks: 'skip' });
    expect(redact(`url postgres://app@db.example/biomass?x=${password}`)).toBe('url ***');
  });
});

describe('the pattern rules', () => {
  it.each([
    ['postgres://app:hunter22@db.example:5432/biomass', 'postgres://app:***@db.example:5432/biomass'],
    ['POSTGRESQL://App:p%40ss@h/db', 'POSTGRESQL://App:***@h/db'],
    ['connect host=h password=s3cr3t user=u', 'connect host=h password=*** user=u'],
    ["password = 'two words'", 'password = ***'],
    ['Password=abc;Host=h', 'Password=***;Host=h'],
    ['DefaultEndpointsProtocol=https;AccountName=a;AccountKey=Zm9vYmFy==;EndpointSuffix=x', 'DefaultEndpointsProtocol=https;AccountName=a;AccountKey=***;EndpointSuffix=x'],
    ['BlobEndpoint=https://a/;SharedAccessSignature=sv=2022&sig=abc', 'BlobEndpoint=https://a/;SharedAccessSignature=***'],
    ['https://a.blob.core.windows.net/c?sv=2022&sig=AbC%2Fd&se=2025', 'https://a.blob.core.windows.net/c?sv=2022&sig=***&se=2025'],
    ['https://a/c?sig=abc', 'https://a/c?sig=***'],
  ])('%s', (text, expected) => {
    expect(redact(text)).toBe(expected);
  });

  it('leaves text without secrets as it is', () => {
    for (const text of ['postgres://app@db.example/biomass', 'no secrets: host=h user=u', 'https://a/c?sv=1&design=x', 'passwords are hidden']) {
      expect(redact(text)).toBe(text);
    }
  });

  it('hides every occurrence, not only the first', () => {
    expect(redact('a://u:p1@h b://v:p2@h')).toBe('a://u:***@h b://v:***@h');
    expect(redact('password=a password=b')).toBe('password=*** password=***');
    expect(redact('AccountKey=a; AccountKey=b')).toBe('AccountKey=***; AccountKey=***');
  });
});
