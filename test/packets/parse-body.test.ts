import iconv from 'iconv-lite';
import { describe, expect, it } from 'vitest';
import { isGatewayError, type ErrorCode } from '../../src/errors.js';
import { parseBody, parseContentType } from '../../src/packets/index.js';
import { GBK_XML_SAMPLE, JSON_SAMPLES, sampleBytes, sampleJson } from './helpers.js';

const XML = 'application/xml';
const JSON_CT = 'application/json';

/** Runs parseBody and returns the GatewayError it throws (fails the test otherwise). */
function refusal(body: Buffer | string, ct: string | undefined): { code: ErrorCode; message: string } {
  try {
    parseBody(typeof body === 'string' ? Buffer.from(body, 'utf8') : body, ct);
  } catch (err) {
    if (isGatewayError(err)) {
      // Never parser internals or stack traces in what callers see.
      expect(err.message).not.toMatch(/SyntaxError|Unexpected token|sax|at .*\.js|\n/);
      return { code: err.code, message: err.message };
    }
    throw err;
  }
  throw new Error('expected a refusal');
}

const gbkSample = (): Buffer => sampleBytes(GBK_XML_SAMPLE);
const sampleText = (): string => iconv.decode(gbkSample(), 'gbk');

describe('parseContentType', () => {
  it('parses media type and parameters case-insensitively', () => {
    const ct = parseContentType('Application/XML ; Charset="GBK"; foo=bar');
    expect(ct?.mediaType).toBe('application/xml');
    expect(ct?.params.get('charset')).toBe('GBK');
    expect(parseContentType('not a type')).toBeUndefined();
    expect(parseContentType(undefined)).toBeUndefined();
  });
});

describe('parseBody: JSON', () => {
  it('parses every JSON sample exactly as JSON.parse does', () => {
    for (const name of JSON_SAMPLES) {
      expect(parseBody(sampleBytes(name), JSON_CT)).toEqual(sampleJson(name));
      expect(parseBody(sampleBytes(name), 'application/json; charset=UTF-8')).toEqual(sampleJson(name));
    }
  });

  it('skips a UTF-8 BOM', () => {
    const body = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), sampleBytes(JSON_SAMPLES[0])]);
    expect(parseBody(body, JSON_CT)).toEqual(sampleJson(JSON_SAMPLES[0]));
  });

  it('refuses truncated JSON', () => {
    const text = sampleBytes(JSON_SAMPLES[0]).toString('utf8');
    expect(refusal(text.slice(0, 200), JSON_CT)).toEqual({
      code: 'GW_ERR_API_MALFORMED_JSON',
      message: 'Body is not well-formed JSON (unexpected end of input)',
    });
  });

  it('refuses broken JSON with a position hint only', () => {
    expect(refusal('{"id": 1,, "x": 2}', JSON_CT)).toEqual({
      code: 'GW_ERR_API_MALFORMED_JSON',
      message: 'Body is not well-formed JSON (at character 9)',
    });
    expect(refusal('', JSON_CT).code).toBe('GW_ERR_API_MALFORMED_JSON');
  });

  it('refuses invalid UTF-8 in JSON (GBK bytes)', () => {
    const body = iconv.encode('{"name":"徐小雨"}', 'gbk');
    expect(refusal(body, JSON_CT)).toEqual({
      code: 'GW_ERR_API_BAD_ENCODING',
      message: 'Body bytes are not valid UTF-8',
    });
    expect(refusal(Buffer.from([0x7b, 0x22, 0xc0, 0xaf, 0x22, 0x7d]), JSON_CT).code).toBe(
      'GW_ERR_API_BAD_ENCODING',
    );
  });

  it('refuses JSON in another charset', () => {
    expect(refusal('{}', 'application/json; charset=gbk').code).toBe('GW_ERR_API_UNSUPPORTED_CHARSET');
    expect(refusal('{}', 'application/json; charset=iso-8859-1').code).toBe('GW_ERR_API_UNSUPPORTED_CHARSET');
  });

  it('limits nesting to 64 levels (strings do not count)', () => {
    expect(parseBody(Buffer.from('['.repeat(64) + ']'.repeat(64)), JSON_CT)).toBeInstanceOf(Array);
    expect(parseBody(Buffer.from(`{"a":"${'['.repeat(100)}"}`), JSON_CT)).toEqual({ a: '['.repeat(100) });
    expect(refusal('['.repeat(65) + ']'.repeat(65), JSON_CT)).toEqual({
      code: 'GW_ERR_API_MALFORMED_JSON',
      message: 'Body is not well-formed JSON (nesting deeper than 64 levels)',
    });
    expect(refusal('{"a":'.repeat(100_000) + '1' + '}'.repeat(100_000), JSON_CT).code).toBe(
      'GW_ERR_API_MALFORMED_JSON',
    );
  });
});

describe('parseBody: media types', () => {
  it.each([
    undefined,
    'text/plain',
    'application/x-www-form-urlencoded',
    'multipart/form-data; boundary=x',
    'application/jsonx',
    'garbage',
  ])('refuses %s', (ct) => {
    expect(refusal('{}', ct).code).toBe('GW_ERR_API_UNSUPPORTED_MEDIA_TYPE');
  });

  it('accepts text/xml like application/xml', () => {
    expect(parseBody(gbkSample(), 'text/xml')).toEqual(parseBody(gbkSample(), XML));
  });
});

describe('parseBody: XML charsets', () => {
  const reencoded = (encoding: string, decl = encoding): Buffer =>
    iconv.encode(sampleText().replace('encoding="GBK"', `encoding="${decl}"`), encoding);

  it('gives the same packet for the GBK sample re-encoded as UTF-8 and GB18030', () => {
    const fromGbk = parseBody(gbkSample(), XML);
    expect(parseBody(reencoded('utf-8', 'UTF-8'), XML)).toEqual(fromGbk);
    expect(parseBody(reencoded('gb18030', 'GB18030'), XML)).toEqual(fromGbk);
    expect(parseBody(reencoded('gbk', 'GB2312'), XML)).toEqual(fromGbk);
  });

  it('takes the charset from Content-Type when the declaration has none', () => {
    const body = iconv.encode(sampleText().replace(' encoding="GBK"', ''), 'gbk');
    expect(parseBody(body, 'application/xml; charset=GBK')).toEqual(parseBody(gbkSample(), XML));
    // Without any declaration XML is UTF-8, and these GBK bytes are not.
    expect(refusal(body, XML).code).toBe('GW_ERR_API_BAD_ENCODING');
  });

  it('accepts agreeing declarations and a UTF-8 BOM', () => {
    expect(parseBody(gbkSample(), 'application/xml; charset=gbk')).toEqual(parseBody(gbkSample(), XML));
    expect(parseBody(gbkSample(), 'application/xml; charset=GB2312')).toEqual(parseBody(gbkSample(), XML));
    const withBom = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), reencoded('utf-8', 'UTF-8')]);
    expect(parseBody(withBom, XML)).toEqual(parseBody(gbkSample(), XML));
  });

  it('refuses disagreeing declarations', () => {
    expect(refusal(gbkSample(), 'application/xml; charset=utf-8')).toEqual({
      code: 'GW_ERR_API_CHARSET_MISMATCH',
      message: 'Character set in the XML declaration (GBK) disagrees with the Content-Type (utf-8)',
    });
    expect(refusal(gbkSample(), 'application/xml; charset=gb18030').code).toBe('GW_ERR_API_CHARSET_MISMATCH');
    const bomGbk = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), gbkSample()]);
    expect(refusal(bomGbk, XML).code).toBe('GW_ERR_API_CHARSET_MISMATCH');
  });

  it('refuses GBK bytes declared UTF-8', () => {
    const body = iconv.encode(sampleText().replace('encoding="GBK"', 'encoding="UTF-8"'), 'gbk');
    expect(refusal(body, XML)).toEqual({
      code: 'GW_ERR_API_BAD_ENCODING',
      message: 'Body bytes are not valid UTF-8',
    });
  });

  it('refuses UTF-8 bytes declared GBK', () => {
    const body = Buffer.from(sampleText(), 'utf8'); // prolog still says GBK
    expect(refusal(body, XML)).toEqual({
      code: 'GW_ERR_API_CHARSET_MISMATCH',
      message: 'Body is declared GBK but its bytes are UTF-8',
    });
    expect(refusal(body, 'application/xml; charset=gb18030').code).toBe('GW_ERR_API_CHARSET_MISMATCH');
  });

  it('refuses UTF-8 declared GBK even when every byte pair happens to be valid GBK (mojibake)', () => {
    // Two-character runs: the UTF-8 bytes pair up into valid GBK double bytes, so the strict
    // GBK decoder alone finds nothing wrong and would hand on 寰愭槑-style text.
    const text = '<?xml version="1.0" encoding="GBK"?><packet><id>徐明王丽上海杭州汉族派出</id></packet>';
    expect(iconv.decode(Buffer.from(text, 'utf8'), 'gbk')).not.toContain('\uFFFD');
    expect(refusal(Buffer.from(text, 'utf8'), XML).code).toBe('GW_ERR_API_CHARSET_MISMATCH');
    // Genuine GBK of the same text is not mistaken for UTF-8.
    expect(() => parseBody(iconv.encode(text, 'gbk'), XML)).not.toThrow(/CHARSET/);
  });

  it('refuses invalid GB18030 but accepts a genuinely encoded U+FFFD', () => {
    const bad = Buffer.concat([
      iconv.encode('<?xml version="1.0" encoding="GB18030"?><packet><id>', 'gb18030'),
      Buffer.from([0x81, 0x20]),
      Buffer.from('</id></packet>'),
    ]);
    expect(refusal(bad, XML).code).toBe('GW_ERR_API_BAD_ENCODING');
    const good = iconv.encode(
      '<?xml version="1.0" encoding="GB18030"?><packet><caseId>\uFFFD𠀀</caseId></packet>',
      'gb18030',
    );
    expect(parseBody(good, XML)).toEqual({ caseId: '\uFFFD𠀀' });
  });

  it.each([
    ['Shift_JIS', 'declaration'],
    ['ISO-8859-1', 'declaration'],
    ['UTF-16', 'declaration'],
  ])('refuses unsupported charset %s in the %s', (cs) => {
    const body = Buffer.from(`<?xml version="1.0" encoding="${cs}"?><packet/>`, 'latin1');
    expect(refusal(body, XML)).toEqual({
      code: 'GW_ERR_API_UNSUPPORTED_CHARSET',
      message: `Unsupported character set "${cs}" in the XML declaration; use UTF-8, GBK or GB18030`,
    });
  });

  it('refuses unsupported charsets in Content-Type and UTF-16 by BOM', () => {
    expect(refusal('<packet/>', 'application/xml; charset=shift_jis').code).toBe(
      'GW_ERR_API_UNSUPPORTED_CHARSET',
    );
    const utf16 = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('<packet/>', 'utf16le')]);
    expect(refusal(utf16, XML).code).toBe('GW_ERR_API_UNSUPPORTED_CHARSET');
  });
});

describe('parseBody: XML safety', () => {
  it('refuses a DOCTYPE (external entity attempt)', () => {
    const body =
      '<?xml version="1.0"?>\n<!DOCTYPE packet SYSTEM "file:///etc/passwd">\n<packet><id>x</id></packet>';
    expect(refusal(body, XML)).toEqual({
      code: 'GW_ERR_API_XML_DOCTYPE',
      message: 'XML with a DOCTYPE or entity declaration is refused',
    });
  });

  it('refuses an internal entity declaration', () => {
    const body = '<!DOCTYPE packet [ <!ENTITY name "徐明"> ]><packet><id>&name;</id></packet>';
    expect(refusal(body, XML).code).toBe('GW_ERR_API_XML_DOCTYPE');
    expect(refusal('<packet><!ENTITY x "y"></packet>', XML).code).toBe('GW_ERR_API_XML_DOCTYPE');
    expect(refusal('<!doctype packet><packet/>', XML).code).toBe('GW_ERR_API_XML_DOCTYPE');
  });

  it('refuses billion laughs before parsing, in any supported charset', () => {
    const lol = [
      '<?xml version="1.0" encoding="GBK"?>',
      '<!DOCTYPE lolz [',
      '<!ENTITY lol "lol">',
      ...Array.from(
        { length: 9 },
        (_, i) => `<!ENTITY lol${i + 1} "${`&lol${i === 0 ? '' : i};`.repeat(10)}">`,
      ),
      ']>',
      '<packet><caseId>&lol9;</caseId></packet>',
    ].join('\n');
    // Refused before any parser runs, so no entity is ever expanded.
    expect(refusal(iconv.encode(lol, 'gbk'), XML).code).toBe('GW_ERR_API_XML_DOCTYPE');
    expect(refusal(Buffer.from(lol.replace('GBK', 'UTF-8'), 'utf8'), XML).code).toBe(
      'GW_ERR_API_XML_DOCTYPE',
    );
  });

  it.each([
    ['<packet><id>x</packet>', 'GW_ERR_API_MALFORMED_XML'],
    ['<packet><id>x</id>', 'GW_ERR_API_MALFORMED_XML'],
    ['<packet><id>&foo;</id></packet>', 'GW_ERR_API_MALFORMED_XML'],
    ['<packet></packet><packet></packet>', 'GW_ERR_API_MALFORMED_XML'],
    ['junk<packet/>', 'GW_ERR_API_MALFORMED_XML'],
    ['', 'GW_ERR_API_MALFORMED_XML'],
    ['just text', 'GW_ERR_API_MALFORMED_XML'],
    ['<?xml version="1.0" encoding=GBK?><packet/>', 'GW_ERR_API_MALFORMED_XML'],
    ['<packet><id a="1>x</id></packet>', 'GW_ERR_API_MALFORMED_XML'],
    ['<packet><!-- open comment </packet>', 'GW_ERR_API_MALFORMED_XML'],
  ])('refuses malformed %j', (body, code) => {
    expect(refusal(body, XML).code).toBe(code);
  });

  it('gives only a short position hint for malformed XML', () => {
    expect(refusal('<packet>\n  <id>x</caseId>\n</packet>', XML)).toEqual({
      code: 'GW_ERR_API_MALFORMED_XML',
      message: 'Body is not well-formed XML (line 2, column 16)',
    });
  });

  it('refuses references to entities XML does not predefine, keeps the five and character references', () => {
    expect(refusal('<packet><id>a&nbsp;b</id></packet>', XML)).toEqual({
      code: 'GW_ERR_API_MALFORMED_XML',
      message: 'Body is not well-formed XML (undefined entity or bare & at line 1, column 14)',
    });
    expect(refusal('<packet><id a="&copy;">x</id></packet>', XML).code).toBe('GW_ERR_API_MALFORMED_XML');
    expect(refusal('<packet><id>a & b</id></packet>', XML).code).toBe('GW_ERR_API_MALFORMED_XML');
    const agreement = (s: string): unknown =>
      (parseBody(Buffer.from(`<packet><agreement>${s}</agreement></packet>`), XML) as { agreement: unknown })
        .agreement;
    expect(agreement('&amp;&lt;&gt;&quot;&apos;')).toBe('&<>"\'');
    expect(agreement('&#24464;&#x5F90;')).toBe('徐徐');
    expect(agreement('<![CDATA[a & b &nbsp;]]>')).toBe('a & b &nbsp;');
    expect(agreement('x<!-- & -->y')).toBe('xy');
  });

  it('limits element nesting to 64 levels', () => {
    const nest = (n: number): string => '<packet>' + '<a>'.repeat(n - 1) + '</a>'.repeat(n - 1) + '</packet>';
    expect(() => parseBody(Buffer.from(nest(64)), XML)).not.toThrow();
    expect(refusal(nest(65), XML)).toEqual({
      code: 'GW_ERR_API_MALFORMED_XML',
      message: 'Body is not well-formed XML (nesting deeper than 64 levels)',
    });
    expect(refusal('<packet>' + '<a>'.repeat(200_000), XML).code).toBe('GW_ERR_API_MALFORMED_XML');
  });
});
