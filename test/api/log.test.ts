import { LOG_LEVELS, streamLogger } from '../../src/api/log';
import { redactor } from '../../src/api/redact';

describe('the logger', () => {
  const capture = (level: (typeof LOG_LEVELS)[number]) => {
    const lines: string[] = [];
    return { lines, log: streamLogger(level, (line) => lines.push(line)) };
  };

  it('filters error, warn, info and debug by level', () => {
    const { lines, log } = capture('warn');
    log.error('e');
    log.warn('w');
    log.info('i');
    log.debug('d');
    expect(lines).toEqual(['error: e\n', 'warning: w\n']);
  });

  it.each(LOG_LEVELS)('prints alerts at level %s, redacted, each exactly once', (level) => {
    redactor.addSecret('alert-secret-9f2c');
    const { lines, log } = capture(level);
    log.alert('INSECURE: TLS is off near alert-secret-9f2c');
    log.alert('INSECURE: TLS is off near alert-secret-9f2c');
    log.alert('INSECURE: plain HTTP');
    expect(lines).toEqual(['warning: INSECURE: TLS is off near (sensitive)\n', 'warning: INSECURE: plain HTTP\n']);
  });
});
