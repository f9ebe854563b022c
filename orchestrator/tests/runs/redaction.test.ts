import { describe, expect, it } from 'vitest';
import { createLineRedactor, createRedactor, redactJson, redactJsonLines } from '../../src/runs/redaction.js';

const ALNUM36 = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJ';
const GITHUB_TOKEN = `ghp_${ALNUM36}`;
const FINE_GRAINED = `github_pat_${'A1b2C3d4E5f6G7h8I9j0K1'}_${'x'.repeat(59)}`;
const ANTHROPIC = `sk-ant-api03-${'Ab1_-'.repeat(18)}`;
const OPENAI_PROJECT = `sk-proj-${'Zy9-_'.repeat(30)}`;
const OPENAI_LEGACY = `sk-${'a1B2c3D4'.repeat(6)}`;
const AWS_ACCESS = 'AKIAIOSFODNN7EXAMPLE';
const AWS_SECRET = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY';
const PRIVATE_KEY = [
  '-----BEGIN RSA PRIVATE KEY-----',
  'MIIEpAIBAAKCAQEA0Z3VS5JJcds3xfn/ygWyF8PbnGy0AHB7MhgHcTz6sE2I2yPB',
  'aFDrBz9vFqU4yQIDAQABAoIBAQCq',
  '-----END RSA PRIVATE KEY-----',
].join('\n');

function redactor(env: NodeJS.ProcessEnv = {}, patterns: string[] = []) {
  return createRedactor({ env, patterns });
}

describe('createRedactor: built-in formats', () => {
  it.each([
    ['github-token', GITHUB_TOKEN],
    ['github-token', `gho_${ALNUM36}`],
    ['github-token', `ghu_${ALNUM36}`],
    ['github-token', `ghs_${ALNUM36}`],
    ['github-token', `ghr_${ALNUM36}`],
    ['github-token', FINE_GRAINED],
    ['anthropic-key', ANTHROPIC],
    ['openai-key', OPENAI_PROJECT],
    ['openai-key', OPENAI_LEGACY],
    ['aws-access-key', AWS_ACCESS],
    ['aws-access-key', 'ASIAY34FZKBOKMUTVV7A'],
  ])('%s: %s', (kind, secret) => {
    const r = redactor();
    expect(r.redact(`before ${secret} after`)).toBe(`before [REDACTED:${kind}] after`);
    expect(r.count).toBe(1);
  });

  it('reports an sk-ant- key as anthropic, not openai', () => {
    const r = redactor();
    expect(r.redact(`ANTHROPIC_API_KEY=${ANTHROPIC}`)).toBe('ANTHROPIC_API_KEY=[REDACTED:anthropic-key]');
  });

  it('redacts a labelled AWS secret key and keeps the label', () => {
    const r = redactor();
    expect(r.redact(`aws_secret_access_key = ${AWS_SECRET}`)).toBe(
      'aws_secret_access_key = [REDACTED:aws-secret-key]',
    );
    expect(r.redact(`AWS_SECRET_ACCESS_KEY=${AWS_SECRET}`)).toBe(
      'AWS_SECRET_ACCESS_KEY=[REDACTED:aws-secret-key]',
    );
    expect(r.redact(`{"SecretAccessKey": "${AWS_SECRET}"}`)).toBe(
      '{"SecretAccessKey": "[REDACTED:aws-secret-key]"}',
    );
    // unlabelled, 40 base64 characters are not taken for a key
    expect(r.redact(`hash ${AWS_SECRET}`)).toBe(`hash ${AWS_SECRET}`);
    expect(r.count).toBe(3);
  });

  it('redacts a private key block across lines, keeping the text around it', () => {
    const r = redactor();
    expect(r.redact(`key:\n${PRIVATE_KEY}\ndone\n`)).toBe('key:\n[REDACTED:private-key]\ndone\n');
    const openssh =
      '-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAA\n-----END OPENSSH PRIVATE KEY-----';
    expect(r.redact(openssh)).toBe('[REDACTED:private-key]');
    // JSON-escaped, on one line
    expect(r.redact(JSON.stringify({ key: PRIVATE_KEY }))).toBe('{"key":"[REDACTED:private-key]"}');
    // cut off before its END: redacted to the end
    expect(r.redact(`x ${PRIVATE_KEY.split('\n').slice(0, 2).join('\n')}`)).toBe('x [REDACTED:private-key]');
  });

  it('leaves ordinary text alone', () => {
    const r = redactor();
    const text = 'task-0123456789abcdefghijklmn risk-assessment sk-short ghp_short AKIA1234 github_pat_x\n';
    expect(r.redact(text)).toBe(text);
    expect(r.redact('')).toBe('');
    expect(r.count).toBe(0);
  });

  it('counts every replacement across calls', () => {
    const r = redactor();
    r.redact(`${GITHUB_TOKEN} and ${GITHUB_TOKEN}`);
    r.redact(AWS_ACCESS);
    expect(r.count).toBe(3);
  });
});

describe('createRedactor: environment values', () => {
  it('redacts values of variables named like secrets, by name', () => {
    const r = redactor({
      MY_API_TOKEN: 'tok-value-123',
      DB_PASSWORD: 'hunter2hunter2',
      client_secret: 'lowercase-name-secret',
      SIGNING_KEY: 'signing-key-value',
      PATH: '/usr/local/bin:/usr/bin',
      HOME: '/home/someone',
    });
    expect(r.redact('a tok-value-123 b hunter2hunter2 c lowercase-name-secret d signing-key-value')).toBe(
      'a [REDACTED:env:MY_API_TOKEN] b [REDACTED:env:DB_PASSWORD] c [REDACTED:env:client_secret] d [REDACTED:env:SIGNING_KEY]',
    );
    expect(r.redact('/usr/local/bin:/usr/bin /home/someone')).toBe('/usr/local/bin:/usr/bin /home/someone');
  });

  it('ignores values shorter than 8 characters', () => {
    const r = redactor({ KEY: '1', SHORT_TOKEN: 'abc1234' });
    expect(r.redact('1 11 abc1234')).toBe('1 11 abc1234');
    expect(r.count).toBe(0);
  });

  it('escapes values for the regular expression', () => {
    const r = redactor({ WEIRD_SECRET: 'a.b*c+d(e)[f]$^|\\g' });
    expect(r.redact('x a.b*c+d(e)[f]$^|\\g y aXbbbcd')).toBe('x [REDACTED:env:WEIRD_SECRET] y aXbbbcd');
  });

  it('redacts the longest value first, and each line of a multi-line value', () => {
    const r = redactor({
      A_TOKEN: 'abcdefgh',
      B_TOKEN: 'abcdefgh-ijklmnop',
      MULTI_KEY: 'line-one-secret\nline-two-secret',
    });
    expect(r.redact('abcdefgh-ijklmnop abcdefgh')).toBe('[REDACTED:env:B_TOKEN] [REDACTED:env:A_TOKEN]');
    expect(r.redact('only line-two-secret here')).toBe('only [REDACTED:env:MULTI_KEY] here');
  });

  it('replaces a token containing a shorter env value as a whole', () => {
    const r = redactor({ SOME_KEY: ALNUM36.slice(5, 20) });
    expect(r.redact(GITHUB_TOKEN)).toBe('[REDACTED:github-token]');
  });
});

describe('createRedactor: a known value in other forms', () => {
  // 25 bytes: not a multiple of 3, so every base64 alignment ends differently
  const VALUE = 'dt-9f8e7d6c5b4a3210-zyxwv';
  const r = () => redactor({ DEPLOY_TOKEN: VALUE });
  const base64At = (offset: number, before = 'x'.repeat(offset), after = '') =>
    Buffer.from(`${before}${VALUE}${after}`).toString('base64');

  it.each([
    ['split by a newline', `${VALUE.slice(0, 12)}\n${VALUE.slice(12)}`],
    ['split by backslash-newline', `${VALUE.slice(0, 12)}\\\n${VALUE.slice(12)}`],
    ['split by string concatenation', `"${VALUE.slice(0, 10)}" +\n    "${VALUE.slice(10)}"`],
    ['split by PHP concatenation', `'${VALUE.slice(0, 10)}' .\n '${VALUE.slice(10)}'`],
    ['split in a JSON string', JSON.stringify(`${VALUE.slice(0, 9)}\n${VALUE.slice(9)}`)],
    ["split over a diff's added lines", `+${VALUE.slice(0, 12)}\n+${VALUE.slice(12)}`],
    ['base64 at offset 0', base64At(0)],
    ['base64 at offset 1', base64At(1)],
    ['base64 at offset 2', base64At(2)],
    ['base64url', base64At(1).replace(/\+/g, '-').replace(/\//g, '_')],
    [
      'inside a larger base64 blob',
      base64At(0, 'a larger payload, with the value in it: ', ' and more after it'),
    ],
    ['base64 wrapped at 76 columns', base64At(2, 'p'.repeat(70), 'q'.repeat(70)).replace(/.{76}/g, '$&\n')],
    ['hex', Buffer.from(VALUE).toString('hex')],
    ['upper-case hex', Buffer.from(VALUE).toString('hex').toUpperCase()],
  ])('%s', (_form, text) => {
    const out = r().redact(`before ${text} after`);
    expect(out).toContain('[REDACTED:env:DEPLOY_TOKEN]');
    expect(out.startsWith('before ')).toBe(true);
    expect(out.endsWith(' after')).toBe(true);
    // no readable part of the value is left: neither half, nor the middle of its encodings
    for (const part of [VALUE.slice(0, 12), VALUE.slice(12), base64At(0).slice(4, -4)])
      expect(out).not.toContain(part);
  });

  it('finds a value URL-encoded, with either case of escapes', () => {
    const value = 'p@ss/w0rd:with spaces&more';
    const red = redactor({ DB_PASSWORD: value });
    const encoded = encodeURIComponent(value);
    expect(encoded).toBe('p%40ss%2Fw0rd%3Awith%20spaces%26more');
    expect(red.redact(`?password=${encoded}&x=1`)).toBe('?password=[REDACTED:env:DB_PASSWORD]&x=1');
    expect(red.redact(encoded.replace(/%[0-9A-F]{2}/g, (e) => e.toLowerCase()))).toBe(
      '[REDACTED:env:DB_PASSWORD]',
    );
  });

  it('replaces a split value from its first character to its last, glue included', () => {
    const text = `const t = "${VALUE.slice(0, 10)}" +\n  "${VALUE.slice(10)}";\n`;
    expect(r().redact(text)).toBe('const t = "[REDACTED:env:DEPLOY_TOKEN]";\n');
  });

  it('finds without counting, and reports spans in the original text', () => {
    const red = r();
    const text = `a ${VALUE.slice(0, 5)}\n${VALUE.slice(5)} b ${base64At(0)}`;
    const found = red.find(text);
    expect(found.map((m) => text.slice(m.index, m.index + m.length))).toEqual([
      `${VALUE.slice(0, 5)}\n${VALUE.slice(5)}`,
      expect.stringMatching(/^[A-Za-z0-9+/]+$/),
    ]);
    expect(red.count).toBe(0);
  });

  it('treats the variables named in `names` as secrets whatever they are called', () => {
    const red = createRedactor({ env: { LLM_CREDENTIAL: VALUE }, patterns: [], names: ['LLM_CREDENTIAL'] });
    expect(red.redact(Buffer.from(VALUE).toString('hex'))).toBe('[REDACTED:env:LLM_CREDENTIAL]');
    expect(redactor({ LLM_CREDENTIAL: VALUE }).redact(VALUE)).toBe(VALUE);
  });

  it("leaves text that merely shares the value's characters alone", () => {
    const text = `dt-9f8e7d6c 5b4a zyxwv ${Buffer.from('dt-9f8e7d6c').toString('base64')} ${VALUE.slice(0, 20)}`;
    expect(r().redact(text)).toBe(text);
  });
});

describe('a value split over strings that follow one another', () => {
  const VALUE = 'dt-9f8e7d6c5b4a3210-zyxwv';
  const env = { DEPLOY_TOKEN: VALUE };

  it('redactSeries keeps one string per string, the first part redacted and the rest cut', () => {
    const r = redactor(env);
    const texts = [
      'ok',
      `token = "${VALUE.slice(0, 6)}`,
      VALUE.slice(6, 15),
      `${VALUE.slice(15)}" done`,
      'tail',
    ];
    expect(r.redactSeries(texts)).toEqual([
      'ok',
      'token = "[REDACTED:env:DEPLOY_TOKEN]',
      '',
      '" done',
      'tail',
    ]);
    expect(r.count).toBe(1);
    expect(r.redactSeries(['a', 'b'])).toEqual(['a', 'b']);
  });

  it('redactJsonLines finds it over consecutive events, by key, and keeps the NDJSON shape', () => {
    const r = redactor(env);
    const events = [
      { type: 'output', stream: 'stdout', line: `const token = "${VALUE.slice(0, 12)}" +` },
      { type: 'output', stream: 'stdout', line: `  "${VALUE.slice(12)}";` },
      { type: 'exit', code: 0 },
    ];
    const text = `${events.map((e) => JSON.stringify(e)).join('\n')}\n`;
    const out = redactJsonLines(text, r)!;
    expect(out.split('\n').map((l) => (l ? JSON.parse(l) : null))).toEqual([
      { type: 'output', stream: 'stdout', line: 'const token = "[REDACTED:env:DEPLOY_TOKEN]' },
      { type: 'output', stream: 'stdout', line: '";' },
      { type: 'exit', code: 0 },
      null,
    ]);
    expect(redactJsonLines('{"a": 1}\nnot json\n', r)).toBeUndefined();
    expect(redactJsonLines('{"a":"plain"}\n', r)).toBe('{"a":"plain"}\n');
  });
});

describe('createRedactor: configured patterns', () => {
  it('compiles patterns with the g flag and replaces every match', () => {
    const r = redactor({}, ['corp-[0-9]{4}', 'x*']);
    expect(r.redact('corp-1234 and corp-5678, corp-12')).toBe(
      '[REDACTED:pattern] and [REDACTED:pattern], corp-12',
    );
    expect(r.count).toBe(2);
  });

  it('throws on an invalid pattern, naming it', () => {
    expect(() => redactor({}, ['('])).toThrow(/invalid redaction pattern "\("/);
  });
});

describe('redactJson', () => {
  it('redacts every string deeply and leaves the input unchanged', () => {
    const value = {
      command: `curl -H "Authorization: token ${GITHUB_TOKEN}"`,
      nested: [{ env: `AWS=${AWS_ACCESS}` }, 3, null, true, [OPENAI_LEGACY]],
      [GITHUB_TOKEN]: 'key',
      count: 2,
    };
    const copy = structuredClone(value);
    const r = redactor();
    expect(redactJson(value, r)).toEqual({
      command: 'curl -H "Authorization: token [REDACTED:github-token]"',
      nested: [{ env: 'AWS=[REDACTED:aws-access-key]' }, 3, null, true, ['[REDACTED:openai-key]']],
      '[REDACTED:github-token]': 'key',
      count: 2,
    });
    expect(value).toEqual(copy);
    expect(r.count).toBe(4);
    expect(redactJson('plain', r)).toBe('plain');
    expect(redactJson(null, r)).toBe(null);
  });
});

describe('createLineRedactor', () => {
  it('holds a private key block until its END line and redacts it whole', () => {
    const lines = createLineRedactor(redactor());
    const input = `before\n${PRIVATE_KEY}\nafter\n`.split(/(?<=\n)/);
    const out = input.map((line) => lines.push(line));
    expect(out).toEqual(['before\n', '', '', '', '[REDACTED:private-key]\n', 'after\n']);
    expect(lines.flush()).toBe('');
  });

  it('redacts an unterminated block at flush or at the hold limit', () => {
    const r = redactor();
    const lines = createLineRedactor(r, { maxHeldLines: 3 });
    expect(lines.push('-----BEGIN PRIVATE KEY-----\n')).toBe('');
    expect(lines.push('MIIEvQIBADANBgkqhkiG9w0BAQEFAASC\n')).toBe('');
    expect(lines.push('more\n')).toBe('[REDACTED:private-key]');
    expect(lines.push('next\n')).toBe('next\n');
    expect(lines.push('x -----BEGIN EC PRIVATE KEY-----\n')).toBe('');
    expect(lines.flush()).toBe('x [REDACTED:private-key]');
  });
});
