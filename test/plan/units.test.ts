import { describe, expect, it } from 'vitest';
import { formatBytes, formatDuration, parseDuration, parseSize } from '../../src/plan/units.js';
import { redact } from '../../src/secrets.js';

describe('sizes', () => {
  it.each([
    ['250MB', 250e6], ['1.5TB', 1.5e12], ['100GB', 100e9], ['512KiB', 512 * 1024], ['1GiB', 2 ** 30], ['7 B', 7], ['2 tb', 2e12],
  ])('%s = %d bytes', (text, bytes) => expect(parseSize(text)).toBe(bytes));
  it.each(['', '12', 'MB', '1.5.2GB', '10 GBs', '-1GB'])('rejects %j with the form to use', (text) => {
    expect(() => parseSize(text)).toThrowError(/is not a size/);
  });
  it('formats the seed table figures', () => {
    expect(formatBytes(1200 * 250e6)).toBe('300 GB');
    expect(formatBytes(1200 * 750e6)).toBe('900 GB');
    expect(formatBytes(1.2e12)).toBe('1.2 TB');
    expect(formatBytes(262.5e9)).toBe('263 GB');
  });
});

describe('durations', () => {
  it.each([
    ['500ms', 500], ['30s', 30_000], ['1h30m', 5_400_000], ['2d', 172_800_000], ['1.5s', 1500], ['1m 30s', 90_000],
  ])('%s = %d ms', (text, ms) => expect(parseDuration(text)).toBe(ms));
  it.each(['', '30', 'thirty s', '5 minutes', '1h30x'])('rejects %j', (text) => {
    expect(() => parseDuration(text)).toThrowError(/is not a duration/);
  });
  it('formats', () => {
    expect(formatDuration(4 * 3_600_000 + 50 * 60_000)).toBe('4h 50m');
    expect(formatDuration(850)).toBe('850ms');
  });
});

describe('redaction', () => {
  it.each([
    ['postgres://app:hunter22@db:5432/biomass', 'postgres://app:***@db:5432/biomass'],
    ['host=db password=hunter22 dbname=x', 'host=db password=*** dbname=x'],
    ['AccountName=a;AccountKey=abc/def==;BlobEndpoint=x', 'AccountName=a;AccountKey=***;BlobEndpoint=x'],
    ['https://a.blob.core.windows.net/c?sv=2024&sig=abc%2Bdef&se=1', 'https://a.blob.core.windows.net/c?sv=2024&sig=***&se=1'],
  ])('%s', (text, expected) => expect(redact(text)).toBe(expected));
});
