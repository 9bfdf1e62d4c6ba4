import type { MigrationKind } from '../../contracts/summary.js';

/** What one migration's SQL does to the release still running (blue) and to a rollback. */
export interface Classification {
  kind: MigrationKind;
  /** The first statement that makes it a contract migration, as written (whitespace collapsed). */
  statement?: string;
  /** Why: "drops column users.email"; for unclassified, why the SQL could not be read. */
  reason?: string;
}

type Node = Record<string, unknown>;
type ParsedStatement = { stmt: Node; stmt_location?: number; stmt_len?: number };

/**
 * Expand (additive: blue keeps working, a rollback keeps working) or contract (removes or changes what blue
 * reads or writes), read from PostgreSQL's own parser (libpg-query, compiled to wasm; loaded on first use).
 */
export async function classifySql(sql: string): Promise<Classification> {
  const { parse } = await import('libpg-query');
  let statements: ParsedStatement[];
  try {
    statements = ((await parse(sql)) as unknown as { stmts?: ParsedStatement[] }).stmts ?? [];
  } catch (error) {
    return { kind: 'unclassified', reason: `PostgreSQL's parser rejects it: ${(error as Error).message}` };
  }
  const bytes = Buffer.from(sql, 'utf8');
  for (const entry of statements) {
    const reason = contractReason(entry.stmt);
    if (reason) return { kind: 'contract', statement: statementText(bytes, entry), reason };
  }
  return { kind: 'expand' };
}

/** Parser locations are byte offsets into the UTF-8 text; a length of 0 (or none) runs to the end. */
function statementText(bytes: Buffer, entry: ParsedStatement): string {
  const start = entry.stmt_location ?? 0;
  const end = entry.stmt_len ? start + entry.stmt_len : bytes.length;
  const text = bytes.subarray(start, end).toString('utf8').replace(/\s+/g, ' ').trim();
  return text.length > 120 ? `${text.slice(0, 117)}...` : text;
}

const KEPT_ON_DROP = new Set(['OBJECT_INDEX', 'OBJECT_STATISTIC_EXT']);

/** Null for an expand statement; otherwise what it breaks, in a few words. */
export function contractReason(stmt: Node): string | null {
  const [type, body] = Object.entries(stmt)[0] as [string, Node];
  switch (type) {
    case 'DropStmt': {
      const what = String(body.removeType);
      return KEPT_ON_DROP.has(what) ? null : `drops ${objectWord(what)} ${dropNames(body)}`.trim();
    }
    case 'RenameStmt':
      return `renames ${objectWord(String(body.renameType))} ${relationName(body)}${body.subname ? `.${String(body.subname)}` : ''} to ${String(body.newname)}`;
    case 'AlterObjectSchemaStmt':
      return `moves ${objectWord(String(body.objectType))} ${relationName(body)} to schema ${String(body.newschema)}`;
    case 'TruncateStmt':
      return 'truncates a table (its rows cannot come back on rollback)';
    case 'AlterEnumStmt':
      return body.oldVal ? `renames enum value ${String(body.oldVal)}` : null;
    case 'AlterTableStmt':
      return alterTableReason(body);
    default:
      return null;
  }
}

function alterTableReason(body: Node): string | null {
  const table = relationName(body);
  for (const wrapped of (body.cmds as Node[] | undefined) ?? []) {
    const cmd = wrapped.AlterTableCmd as Node;
    const column = `${table}.${String(cmd.name ?? '')}`;
    switch (cmd.subtype) {
      case 'AT_DropColumn':
        return `drops column ${column}`;
      case 'AT_AlterColumnType':
        return `changes the type of column ${column}`;
      case 'AT_SetNotNull':
        return `makes column ${column} NOT NULL`;
      case 'AT_ColumnDefault':
        if (!cmd.def) return `drops the default of column ${column}`;
        break;
      case 'AT_AddColumn': {
        const def = (cmd.def as Node).ColumnDef as Node;
        if (requiredWithoutDefault(def)) return `adds column ${table}.${String(def.colname)} NOT NULL without a default`;
        break;
      }
      case 'AT_AddConstraint':
        if (((cmd.def as Node).Constraint as Node).contype === 'CONSTR_NOTNULL') return `makes a column of ${table} NOT NULL`;
        break;
    }
  }
  return null;
}

/** NOT NULL (or a primary key) with no default, identity or generated value: blue's INSERTs fail. */
function requiredWithoutDefault(def: Node): boolean {
  const types = ((def.constraints as Node[] | undefined) ?? []).map((c) => (c.Constraint as Node).contype);
  const required = types.includes('CONSTR_NOTNULL') || types.includes('CONSTR_PRIMARY');
  const filled = types.includes('CONSTR_DEFAULT') || types.includes('CONSTR_IDENTITY') || types.includes('CONSTR_GENERATED') || isSerial(def);
  return required && !filled;
}

function isSerial(def: Node): boolean {
  const names = (((def.typeName as Node | undefined)?.names as Node[] | undefined) ?? []).map((n) => String((n.String as Node).sval));
  return ['serial', 'bigserial', 'smallserial', 'serial4', 'serial8', 'serial2'].includes(names.at(-1) ?? '');
}

function relationName(body: Node): string {
  const relation = body.relation as Node | undefined;
  if (relation) return [relation.schemaname, relation.relname].filter(Boolean).map(String).join('.');
  const object = body.object as Node | undefined;
  return object ? qualifiedName(object) : '';
}

function dropNames(body: Node): string {
  return ((body.objects as Node[] | undefined) ?? []).map(qualifiedName).filter(Boolean).join(', ');
}

/** `{List: {items: [{String: {sval}}]}}`, a bare `{String}`, or a TypeName. */
function qualifiedName(node: Node): string {
  const list = (node.List as Node | undefined)?.items as Node[] | undefined;
  if (list) return list.map((item) => String((item.String as Node | undefined)?.sval ?? '')).filter(Boolean).join('.');
  const str = node.String as Node | undefined;
  if (str) return String(str.sval);
  const typeName = node.TypeName as Node | undefined;
  if (typeName) return qualifiedName({ List: { items: typeName.names } });
  return '';
}

/** OBJECT_MATVIEW -> "materialized view". */
function objectWord(objectType: string): string {
  const word = objectType.replace(/^OBJECT_/, '').toLowerCase().replace(/_/g, ' ');
  return word === 'matview' ? 'materialized view' : word;
}
