// A small builder for Grafana dashboards (schema 39), so every panel gets what the dashboard lint
// in test/alerts/dashboards.test.ts asks for: the templated datasource, a unit, a description,
// `$__rate_interval` in rates, and a layout that needs no hand-placed coordinates.

export type Unit = 'percentunit' | 'ops' | 'reqps' | 's' | 'short' | 'bytes' | 'none';

export interface Query {
  expr: string;
  legend: string;
}

export interface PanelSpec {
  title: string;
  description: string;
  unit: Unit;
  type?: 'timeseries' | 'stat' | 'state-timeline';
  queries: Query[];
  /** Grid width out of 24; a row's panels share its height. */
  width?: number;
  /** Values shown as words (a state gauge). */
  mappings?: Record<string, string>;
  min?: number;
  max?: number;
}

export interface RowSpec {
  title: string;
  panels: PanelSpec[];
}

export interface DashboardSpec {
  uid: string;
  title: string;
  description: string;
  rows: RowSpec[];
  /** Adds an `instance` variable; queries filter with `instance=~"$instance"`. */
  perInstance?: boolean;
}

const DATASOURCE = { type: 'prometheus', uid: '${datasource}' };
const ROW_HEIGHT = { stat: 5, timeseries: 8, 'state-timeline': 8 } as const;

function panel(spec: PanelSpec, id: number, x: number, y: number, h: number) {
  const type = spec.type ?? 'timeseries';
  const mappings = spec.mappings
    ? [
        {
          type: 'value',
          options: Object.fromEntries(
            Object.entries(spec.mappings).map(([value, text], index) => [value, { text, index }]),
          ),
        },
      ]
    : [];
  return {
    id,
    type,
    title: spec.title,
    description: spec.description,
    datasource: DATASOURCE,
    gridPos: { h, w: spec.width ?? 8, x, y },
    fieldConfig: {
      defaults: {
        unit: spec.unit,
        ...(spec.min !== undefined ? { min: spec.min } : {}),
        ...(spec.max !== undefined ? { max: spec.max } : {}),
        mappings,
      },
      overrides: [],
    },
    options:
      type === 'stat'
        ? {
            reduceOptions: { calcs: ['lastNotNull'], fields: '', values: false },
            colorMode: 'value',
            graphMode: 'area',
          }
        : {
            legend: { displayMode: 'list', placement: 'bottom', showLegend: true },
            tooltip: { mode: 'multi', sort: 'desc' },
          },
    targets: spec.queries.map((q, i) => ({
      refId: String.fromCharCode(65 + i),
      datasource: DATASOURCE,
      expr: q.expr,
      legendFormat: q.legend,
      range: true,
    })),
  };
}

export function dashboard(spec: DashboardSpec) {
  const panels: unknown[] = [];
  let id = 1;
  let y = 0;
  for (const row of spec.rows) {
    panels.push({
      id: id++,
      type: 'row',
      title: row.title,
      collapsed: false,
      gridPos: { h: 1, w: 24, x: 0, y },
      panels: [],
    });
    y += 1;
    let x = 0;
    const h = Math.max(...row.panels.map((p) => ROW_HEIGHT[p.type ?? 'timeseries']));
    for (const p of row.panels) {
      if (x + (p.width ?? 8) > 24) {
        x = 0;
        y += h;
      }
      panels.push(panel(p, id++, x, y, h));
      x += p.width ?? 8;
    }
    y += h;
  }
  const variables: unknown[] = [
    {
      name: 'datasource',
      label: 'Data source',
      type: 'datasource',
      query: 'prometheus',
      current: { text: 'Prometheus', value: 'prometheus' },
      hide: 0,
    },
  ];
  if (spec.perInstance)
    variables.push({
      name: 'instance',
      label: 'Node',
      type: 'query',
      datasource: DATASOURCE,
      query: { query: 'label_values(up{job="catalyst"}, instance)', refId: 'instance' },
      definition: 'label_values(up{job="catalyst"}, instance)',
      refresh: 2,
      includeAll: true,
      allValue: '.*',
      multi: true,
      current: { text: 'All', value: '$__all' },
      hide: 0,
    });
  return {
    uid: spec.uid,
    title: spec.title,
    description: spec.description,
    tags: ['catalyst'],
    timezone: 'utc',
    schemaVersion: 39,
    version: 1,
    editable: false,
    graphTooltip: 1,
    refresh: '30s',
    time: { from: 'now-6h', to: 'now' },
    templating: { list: variables },
    annotations: { list: [] },
    links: [],
    panels,
  };
}
