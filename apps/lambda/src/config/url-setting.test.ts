import { describe, expect, it } from 'vitest';
import { baseUrl, parseUrlSetting, type UrlSettingRules } from './url-setting.js';

const KEY = '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';
const RULES: UrlSettingRules = {
  schemes: ['http:', 'https:'],
  example: 'https://api.example.com',
  secrets: [KEY],
};

const problemOf = (raw: string, rules: UrlSettingRules = RULES) =>
  parseUrlSetting('SOME_ENDPOINT', raw, rules).problem;

describe('parseUrlSetting', () => {
  it('accepts scheme://host[:port][/path], and gives it back without a trailing slash', () => {
    for (const [raw, expected] of [
      ['https://api.smith.langchain.com', 'https://api.smith.langchain.com'],
      ['http://127.0.0.1:8000/', 'http://127.0.0.1:8000'],
      ['HTTPS://Example.COM/api/v1/', 'https://example.com/api/v1'],
      ['http://[::1]:11434', 'http://[::1]:11434'],
    ] as const) {
      const setting = parseUrlSetting('SOME_ENDPOINT', raw, RULES);
      expect(setting.problem, raw).toBeUndefined();
      expect(setting.url && baseUrl(setting.url)).toBe(expected);
    }
  });

  it('takes a bare host:port only where a default scheme is given', () => {
    expect(problemOf('gpu-box:11434')).toBe('SOME_ENDPOINT must be a URL like https://api.example.com');
    const setting = parseUrlSetting('OLLAMA_HOST', 'gpu-box:11434', { ...RULES, defaultScheme: 'http:' });
    expect(setting.url?.href).toBe('http://gpu-box:11434/');
  });

  it('refuses, naming the variable, and without quoting any part of the value', () => {
    const cases: [string, RegExp][] = [
      [KEY, /must be a URL like https:\/\/api\.example\.com$/],
      [`https://user:${KEY}@api.example.com`, /must not contain credentials/],
      [`https://${KEY}@api.example.com`, /must not contain credentials/],
      ['https://@api.example.com', /must not contain credentials/],
      [`https://api.example.com/runs?api_key=${KEY}`, /must not have a query string or fragment/],
      [`https://api.example.com/#${KEY}`, /must not have a query string or fragment/],
      [`https://api.example.com/${KEY}`, /contains an API key \(or part of one\)/],
      [`https://api.example.com/${encodeURIComponent(KEY.slice(-10))}`, /contains an API key/],
      [`https://${KEY.replaceAll('_', '-')}.example.com`, /contains an API key/],
      [`ftp://${KEY.slice(0, 6)}.example.com`, /must use http or https$/],
      [`https://api.exa\nmple.com/${KEY}`, /without spaces, control or non-ASCII characters$/],
      [`https://api.exämple.com/${KEY}`, /without spaces, control or non-ASCII characters$/],
      ['https://api.example.com:99999', /must be a URL like/],
      ['http://', /must be a URL like/],
      ['', /without spaces/],
    ];
    for (const [raw, expected] of cases) {
      const problem = problemOf(raw) ?? '';
      expect(problem, raw).toMatch(/^SOME_ENDPOINT /);
      expect(problem, raw).toMatch(expected);
      expect(problem, raw).not.toContain('example.com/');
      for (let at = 0; at + 8 <= KEY.length; at++) expect(problem, raw).not.toContain(KEY.slice(at, at + 8));
    }
  });
});
