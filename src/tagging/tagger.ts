/**
 * Tag rules → a Tagger. Everything per rule (parsing, field scopes, stems, anchors) happens once here; per
 * item, tag() tokenizes the fields once, asks the prefilter which rules could match, and evaluates only those.
 */
import { WartaError } from '../base/errors.js';
import { parseQuery } from './query-parser.js';
import { QuerySyntaxError } from './query-error.js';
import type { QueryNode } from './query-ast.js';
import { compilePhrase, compileQuery, positionKeys, type CompileContext, type Matcher } from './matcher.js';
import { evaluate } from './evaluate.js';
import { collectEvidence } from './explain.js';
import { indexItem, makeItemIndex, scannedText } from './item-index.js';
import { buildPrefilter, candidateRules, ruleAnchors } from './prefilter.js';
import { DEFAULT_FIELDS, FIELD_BIT } from './fields.js';
import { stemCandidates } from './stem.js';
import { makeKeyedWords, makeVocabulary } from './vocabulary.js';
import { foldWords } from './words.js';
import type { ItemText, TagMatch, TagRule, Tagger } from './types.js';

// One way a rule can match: its query, or one of its aliases; `source` is what explanations report.
interface Alternative {
  source: string;
  matcher: Matcher;
}

interface CompiledRule {
  name: string;
  alternatives: Alternative[];
}

/** Compiles tag rules; throws QuerySyntaxError naming the tag whose query or alias is malformed. */
export function compileTagger(rules: TagRule[]): Tagger {
  const vocab = makeVocabulary();
  const compiled = rules.map((rule) => compileRule(rule, { vocab, stem: rule.stem === 'id' ? stemCandidates : null }));
  // No rules (a config without tags or output queries): nothing to extract or tokenize.
  if (compiled.length === 0) return { tag: () => [], explain: () => [] };
  const prefilter = buildPrefilter(compiled.map((r) => ruleAnchors(r.alternatives.map((a) => a.matcher))));
  const wanted = new Set(prefilter.byId.flatMap((rules, id) => (rules ? [id] : [])));
  for (const r of compiled) for (const a of r.alternatives) positionKeys(a.matcher, wanted);
  const keyed = makeKeyedWords(vocab, stemCandidates, wanted);
  // Reused by every call: tag() and explain() finish with the index before they return.
  const scratch = makeItemIndex(vocab.words.size + vocab.stems.size + vocab.prefixes.size);
  const mask = compiled.reduce((acc, r) => r.alternatives.reduce((m, a) => m | fieldsOf(a.matcher), acc), DEFAULT_FIELDS);

  return {
    tag(item) {
      const idx = indexItem(item, mask, keyed, scratch);
      const n = candidateRules(prefilter, idx);
      let matched: number[] | null = null;
      for (let k = 0; k < n; k++) {
        const i = prefilter.found[k]!;
        for (const a of compiled[i]!.alternatives) {
          if (evaluate(a.matcher, idx)) {
            (matched ??= []).push(i);
            break;
          }
        }
      }
      if (matched === null) return [];
      // Candidates come in no order; tags are listed in rule order, each name once.
      const tags: string[] = [];
      for (const i of matched.sort(ascending)) if (!tags.includes(compiled[i]!.name)) tags.push(compiled[i]!.name);
      return tags;
    },
    explain(item, scanned) {
      const idx = indexItem(item, mask, keyed, scratch);
      if (scanned) scanned(scannedText(item, idx));
      const n = candidateRules(prefilter, idx);
      const byRule: { i: number; matches: TagMatch[] }[] = [];
      for (let k = 0; k < n; k++) {
        const i = prefilter.found[k]!;
        const rule = compiled[i]!;
        const holding = rule.alternatives.filter((a) => evaluate(a.matcher, idx));
        if (holding.length === 0) continue;
        const found: TagMatch[] = [];
        for (const a of holding) {
          for (const e of collectEvidence(a.matcher, idx)) found.push({ tag: rule.name, rule: a.source, field: e.field, text: e.text, start: e.start, end: e.end });
        }
        // A rule true only through NOT (e.g. `NOT olahraga`) has nothing to point at; it still gets one entry.
        byRule.push({ i, matches: found.length > 0 ? found : [{ tag: rule.name, rule: holding[0]!.source, field: 'title', text: '', start: 0, end: 0 }] });
      }
      return byRule.sort((a, b) => a.i - b.i).flatMap((r) => r.matches);
    },
  };
}

const ascending = (a: number, b: number): number => a - b;

function compileRule(rule: TagRule, ctx: CompileContext): CompiledRule {
  if (rule.stem !== undefined && rule.stem !== null && rule.stem !== 'id') {
    throw new WartaError('config_invalid', `tag "${rule.name}": unknown stem "${String(rule.stem)}" (use "id" or leave it out)`);
  }
  let query: QueryNode;
  try {
    query = parseQuery(rule.match);
  } catch (err) {
    if (err instanceof QuerySyntaxError) {
      throw new QuerySyntaxError(err.detail, err.query, err.offset, { tag: rule.name, cause: err });
    }
    throw err;
  }
  const alternatives: Alternative[] = [{ source: rule.match, matcher: compileQuery(query, ctx) }];
  for (const alias of rule.aliases ?? []) {
    const words = foldWords(alias);
    if (words.length === 0) {
      throw new QuerySyntaxError('alias has no letters or digits to search for', alias, 0, { tag: rule.name });
    }
    alternatives.push({ source: alias, matcher: compilePhrase(words, ctx) });
  }
  return { name: rule.name, alternatives };
}

function fieldsOf(m: Matcher): number {
  switch (m.kind) {
    case 'words':
    case 'regex':
      return m.mask;
    case 'source':
      return FIELD_BIT.source;
    case 'and':
    case 'or':
      return m.children.reduce((acc, c) => acc | fieldsOf(c), 0);
    case 'not':
      return fieldsOf(m.child);
    case 'near':
      return fieldsOf(m.left) | fieldsOf(m.right);
  }
}
