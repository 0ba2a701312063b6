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

describe('units at their edges', () => {
  it.each([
    ['1KB', 1e3], ['1MB', 1e6], ['1PB', 1e15], ['1MiB', 2 ** 20], ['1TiB', 2 ** 40], ['1PiB', 2 ** 50], ['1b', 1],
    [' 2.5 kb ', 2500], ['0.0001KB', 0],
  ])('%j = %d bytes', (text, bytes) => expect(parseSize(text)).toBe(bytes));

  it('takes a number as bytes or ms as it is', () => {
    expect(parseSize(1234)).toBe(1234);
    expect(parseDuration(1234)).toBe(1234);
  });

  it('says what is wrong and how to write it', () => {
    expect(() => parseSize('10 GBs')).toThrow(expect.objectContaining({ code: 'BAD_SIZE', exitCode: 2, message: '"10 GBs" is not a size', hint: 'write a number and a unit, e.g. "250MB", "1.5TB" or "512MiB"' }));
    expect(() => parseDuration('5 minutes')).toThrow(expect.objectContaining({ code: 'BAD_DURATION', exitCode: 2, message: '"5 minutes" is not a duration', hint: 'write a number and a unit (ms, s, m, h, d), e.g. "30s", "500ms" or "1h30m"' }));
  });

  it.each([
    ['1m', 60_000], ['1h', 3_600_000], [' 1d 2h 3m 4s 5ms ', 93_784_005], ['0.5ms', 1], ['1h  30m', 5_400_000],
  ])('%j = %d ms', (text, ms) => expect(parseDuration(text)).toBe(ms));

  it.each(['1h 30', '30s x', 'x30s', 's'])('rejects %j', (text) => {
    expect(() => parseDuration(text)).toThrowError(/is not a duration/);
  });

  it.each([
    [0, '0 B'], [999, '999 B'], [1000, '1 KB'], [1234, '1.23 KB'], [12_345, '12.3 KB'], [123_456, '123 KB'],
    [1e15, '1 PB'], [2.5e18, '2500 PB'], [-1500, '-1.5 KB'], [7.75e9, '7.75 GB'],
  ])('formatBytes(%d) = %j', (bytes, text) => expect(formatBytes(bytes)).toBe(text));

  it.each([
    [0, '0ms'], [999.4, '999ms'], [1000, '1s'], [59_499, '59s'], [60_000, '1m 0s'], [3_599_000, '59m 59s'],
    [3_600_000, '1h 0m'], [86_399_000, '23h 59m'], [86_400_000, '1d 0h'], [90_000_000, '1d 1h'],
  ])('formatDuration(%d) = %j', (ms, text) => expect(formatDuration(ms)).toBe(text));
});
