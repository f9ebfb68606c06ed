import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { createEngine } from '@secretlint/node';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createRedactor } from '../../src/main/report/redaction';
import { buildSecretCorpus } from '../unit/redactionCorpus';

/**
 * Runs secretlint with its recommended preset over a bundle's worth of planted secrets,
 * before and after redaction. Logs go through the streaming API, YAML/JSON/Markdown/HTML
 * through redactFileContent, as the bundle writer will do.
 */

interface LintMessage {
  ruleId: string;
  message: string;
}

// Our token standing where a connection string's password was: secretlint's database rule
// cannot tell it from a password, so it is allowed by this exact shape and nothing wider.
const REDACTED_PASSWORD_IN_URI = '/:\\[REDACTED:[a-z0-9-]+:[0-9a-f]{6}\\]@/';

async function listFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true, recursive: true });
  return entries.filter((e) => e.isFile()).map((e) => join(e.parentPath, e.name));
}

async function lint(dir: string, allowRedactedUriPasswords: boolean, maskSecrets = true): Promise<LintMessage[]> {
  const engine = await createEngine({
    cwd: dir,
    formatter: 'json',
    color: false,
    maskSecrets,
    configFileJSON: {
      rules: [
        {
          id: '@secretlint/secretlint-rule-preset-recommend',
          ...(allowRedactedUriPasswords
            ? { rules: [{ id: '@secretlint/secretlint-rule-database-connection-string', options: { allows: [REDACTED_PASSWORD_IN_URI] } }] }
            : {}),
        },
      ],
    },
  });
  const result = await engine.executeOnFiles({ filePathList: await listFiles(dir) });
  const files = JSON.parse(result.output) as { messages: LintMessage[] }[];
  return files.flatMap((f) => f.messages.map((m) => ({ ruleId: m.ruleId, message: m.message })));
}

describe('secretlint finds nothing in a redacted bundle', () => {
  const corpus = buildSecretCorpus();
  let root: string;
  let rawDir: string;
  let redactedDir: string;

  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'roadside-redaction-'));
    rawDir = join(root, 'raw');
    redactedDir = join(root, 'redacted');
    const redactor = createRedactor({ customLiterals: ['Acme Logistics Oy'] });
    for (const [file, content] of Object.entries(corpus.files)) {
      const raw = join(rawDir, file);
      const out = join(redactedDir, file);
      await mkdir(dirname(raw), { recursive: true });
      await mkdir(dirname(out), { recursive: true });
      await writeFile(raw, content);
      if (file.endsWith('.log')) {
        await pipeline(createReadStream(raw, { highWaterMark: 1024 }), redactor.redactLineStream(file), createWriteStream(out));
      } else {
        await writeFile(out, redactor.redactFileContent(file, content).text);
      }
    }
    await writeFile(join(redactedDir, 'redactions.json'), redactor.ledger.serialize());
  });

  afterAll(async () => {
    await rm(root, { recursive: true, force: true });
  });

  test('the unredacted corpus is full of findings (the check can fail)', async () => {
    const ruleIds = new Set((await lint(rawDir, true)).map((m) => m.ruleId));
    for (const id of ['aws', 'privatekey', 'slack', 'github', 'database-connection-string', 'basicauth']) {
      expect([...ruleIds].some((r) => r.endsWith(`secretlint-rule-${id}`)), id).toBe(true);
    }
  });

  test('the redacted corpus has no findings', async () => {
    expect(await lint(redactedDir, true)).toEqual([]);
  });

  test('without the allowance, the only findings are connection strings whose password is already a token', async () => {
    // Unmasked so the message shows what was flagged: only redacted output is linted here.
    const messages = await lint(redactedDir, false, false);
    expect(messages.length).toBeGreaterThan(0);
    for (const m of messages) {
      expect(m.ruleId).toBe('@secretlint/secretlint-rule-database-connection-string');
      expect(m.message).toMatch(/:\[REDACTED:url-password:[0-9a-f]{6}\]@/);
    }
  });
});
