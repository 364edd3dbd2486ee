import { z } from 'zod';
import type { CompileResult } from '../compiler/compile-file.js';
import type { Diagnostic } from '../compiler/diagnostics/index.js';
import { diagnosticAt, encodePointer, readYamlSource, type YamlSource } from '../compiler/load/parse-yaml-source.js';
import { readSigningDeclaration, SIGNING_ALGORITHMS } from '../compiler/plan/plan-signing.js';

/** The --signing lines of a command's help, its description at `column` (where the command's other options have theirs). */
export function signingOptionHelp(column: number): string {
  const flag = '  --signing <file>';
  const indent = ' '.repeat(column);
  return [
    `${flag.padEnd(column)}request signing per source description, a JSON or YAML object`,
    `${indent}{ <source name>: { scheme, algorithm, components, key, keyId, ... } }`,
    `${indent}(the fields of x-arazzo-sfn-signing, docs/signing.md); "key" names a`,
    `${indent}PEM private key in the local secrets provider: ARAZZO_SECRET_<KEY>, or`,
    `${indent}the key file ARAZZO_SECRET_<KEY>_FILE names`,
  ].join('\n');
}

/** The --signing lines for run and compile, whose option descriptions start at column 25. */
export const signingHelp = signingOptionHelp(25);

const ALGORITHMS = [...new Set(Object.values(SIGNING_ALGORITHMS).flat())] as [string, ...string[]];

/**
 * One declaration as the file writes it: the fields of `x-arazzo-sfn-signing`. Strict, so a
 * misspelt field (`keyid`) is named instead of silently signing without it. The rules between
 * fields (an algorithm of the scheme, (expires) with expiresIn, ...) are the compiler's own
 * (readSigningDeclaration), checked after this, so the file and the OpenAPI extension cannot drift.
 */
const SigningDeclarationSchema = z.strictObject({
  scheme: z.enum(Object.keys(SIGNING_ALGORITHMS) as [string, ...string[]]),
  algorithm: z.enum(ALGORITHMS),
  components: z.array(z.string().min(1)).min(1),
  digest: z
    .string()
    .regex(/^(digest|content-digest)$/i, 'expected Digest or Content-Digest')
    .optional(),
  key: z.string().min(1),
  keyId: z.string().min(1),
  expiresIn: z.number().int().min(1).max(86_400).optional(),
  label: z.string().optional(),
});

/** The file: source description names to declarations. */
export const SigningConfigSchema = z.record(z.string().min(1), SigningDeclarationSchema);

/** What `--signing <file>` gives a command: the declarations, or why the file cannot be used. */
export interface SigningOption {
  /** Per source description name; undefined when the file has errors. */
  readonly signing?: Readonly<Record<string, unknown>>;
  /** Its errors (ASFN1145, YAML syntax, an unreadable file), each at `file:line:col`. */
  readonly diagnostics: readonly Diagnostic[];
  readonly source?: YamlSource;
}

/** zod's message for an issue, without the value it read (the file may be near a key file). */
function issueMessage(issue: z.core.$ZodIssue): string {
  if (issue.code === 'unrecognized_keys') return `unknown field${issue.keys.length === 1 ? '' : 's'} ${issue.keys.map((k) => JSON.stringify(k)).join(', ')}`;
  if (issue.code === 'invalid_type' && issue.input === undefined) return `missing required field "${String(issue.path.at(-1))}"`;
  return issue.message;
}

/**
 * Reads the CLI's signing configuration (`--signing <file>`, JSON or YAML) with source positions
 * and checks it with the construct prop's rules: every problem is an ASFN1145 error at the field
 * it concerns, so a bad file stops the command (exit 2) before anything runs.
 */
export async function readSigningOption(path: string): Promise<SigningOption> {
  const { source, diagnostics } = await readYamlSource(path);
  if (!source) return { diagnostics };
  const where = (tokens: readonly PropertyKey[]) => encodePointer(tokens.map(String));
  const parsed = SigningConfigSchema.safeParse(source.value);
  if (!parsed.success) {
    return {
      source,
      diagnostics: parsed.error.issues.map((issue) => {
        // An unknown field is reported where it is written, not at the object that holds it.
        const tokens = issue.code === 'unrecognized_keys' ? [...issue.path, issue.keys[0]] : issue.path;
        const field = tokens.length ? ` (${tokens.map(String).join('.')})` : '';
        return diagnosticAt(source, where(tokens), 'signingConfig', `--signing: ${issueMessage(issue)}${field}`);
      }),
    };
  }
  const problems: Diagnostic[] = [];
  for (const [name, declaration] of Object.entries(parsed.data)) {
    const plan = readSigningDeclaration(declaration);
    if ('problem' in plan) problems.push(diagnosticAt(source, where([name]), 'signingConfig', `--signing: source "${name}": ${plan.problem}`));
  }
  return problems.length ? { source, diagnostics: problems } : { source, signing: parsed.data, diagnostics: [] };
}

/**
 * Lint of a used configuration against the compiled document: a source name the document does
 * not have (ASFN2145), or one whose declaration signs no step (ASFN2146). Either way nothing is
 * signed for it, which a user who wrote the file would not expect.
 */
export function signingOptionWarnings(option: SigningOption, result: CompileResult): Diagnostic[] {
  if (!option.signing || !option.source) return [];
  const plans = [...result.workflows, ...result.external.map((e) => e.workflow)].map((w) => w.plan);
  // Every plan lists the document's sources; with none compiled, the errors say more than this could.
  if (!plans.length) return [];
  const sources = new Set(plans.flatMap((p) => p.sources.map((s) => s.name)));
  const signed = new Set(plans.flatMap((p) => p.steps.flatMap((s) => ('signing' in s && s.signing ? [s.operation.source] : []))));
  const warnings: Diagnostic[] = [];
  for (const name of Object.keys(option.signing)) {
    const pointer = encodePointer([name]);
    if (!sources.has(name)) {
      warnings.push(
        diagnosticAt(
          option.source,
          pointer,
          'signingConfigUnknownSource',
          `--signing: no source description "${name}" in the document (has: ${[...sources].join(', ') || 'none'}): nothing is signed for it`,
          'warning',
        ),
      );
    } else if (!signed.has(name)) {
      warnings.push(
        diagnosticAt(
          option.source,
          pointer,
          'signingConfigUnused',
          `--signing: source "${name}" has no step the declaration applies to (no operation requires a signature header it produces): nothing is signed for it`,
          'warning',
        ),
      );
    }
  }
  return warnings;
}
