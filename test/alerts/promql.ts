// Reads PromQL with Prometheus's own Lezer grammar (@prometheus-io/lezer-promql, what the
// Prometheus UI uses): whether an expression parses, and which metrics, label matchers and
// grouping labels it names, so that tests can hold them against what Catalyst exports.
import { parser } from '@prometheus-io/lezer-promql';

export interface Matcher {
  label: string;
  op: string;
  value: string;
}

export interface Selector {
  metric: string;
  matchers: Matcher[];
}

export interface PromqlRefs {
  /** Set when the expression does not parse: where and what. */
  error?: string;
  selectors: Selector[];
  /** Labels named in by/without/on/ignoring/group_left/group_right. */
  grouping: string[];
}

// Grafana's variables, as values that keep the expression's shape.
const GRAFANA_VARS: Array<[RegExp, string]> = [
  [/\$__rate_interval|\$__interval|\$__range|\$\{__rate_interval\}|\$\{__interval\}|\$\{__range\}/g, '5m'],
];

export function analyse(expression: string): PromqlRefs {
  let expr = expression;
  for (const [re, v] of GRAFANA_VARS) expr = expr.replace(re, v);
  const text = (from: number, to: number) => expr.slice(from, to);
  const unquote = (s: string) => (/^["'`]/.test(s) ? (JSON.parse(`"${s.slice(1, -1)}"`) as string) : s);
  const out: PromqlRefs = { selectors: [], grouping: [] };
  const tree = parser.parse(expr);
  tree.iterate({
    enter(node) {
      if (node.type.isError && out.error === undefined)
        out.error = `syntax error at ${node.from}: ${JSON.stringify(expr.slice(Math.max(0, node.from - 20), node.from + 20))}`;
      if (node.name === 'VectorSelector') {
        const sel: Selector = { metric: '', matchers: [] };
        const id = node.node.getChild('Identifier');
        if (id) sel.metric = text(id.from, id.to);
        const matchers = node.node.getChild('LabelMatchers');
        for (const m of matchers
          ? [...matchers.getChildren('UnquotedLabelMatcher'), ...matchers.getChildren('QuotedLabelMatcher')]
          : []) {
          const name = m.getChild('LabelName') ?? m.getChild('QuotedLabelName');
          const op = m.getChild('MatchOp');
          const values = m.getChildren('StringLiteral');
          const value = values[values.length - 1];
          if (!name || !op || !value) continue;
          const label = unquote(text(name.from, name.to));
          if (label === '__name__') sel.metric = unquote(text(value.from, value.to));
          else
            sel.matchers.push({
              label,
              op: text(op.from, op.to),
              value: unquote(text(value.from, value.to)),
            });
        }
        out.selectors.push(sel);
        return false;
      }
      if (node.name === 'GroupingLabels') {
        for (const l of node.node.getChildren('LabelName')) out.grouping.push(text(l.from, l.to));
        return false;
      }
      return undefined;
    },
  });
  if (expr.trim() === '') out.error = 'empty expression';
  return out;
}
