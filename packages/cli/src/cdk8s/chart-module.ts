/**
 * `translate --format cdk8s`: the translated objects as a TypeScript module for cdk8s users, a
 * `Chart` subclass that creates one `ApiObject` per object, so policies can live in the same
 * cdk8s app as the workloads they govern.
 *
 * Built with ts-morph's structures (imports, class, constructor) and its code writer for the
 * object literals. ts-morph loads the TypeScript compiler (~0.5 s, tens of MB): this module is
 * imported only for this format (lazy-loading.test.ts checks nothing else loads it).
 *
 * What cdk8s synthesises must be exactly what the YAML output holds. Two cdk8s behaviours matter:
 * - it drops `null` values while rendering, so each `null` is restored by a JSON patch, which
 *   cdk8s applies after rendering (a `null` can be meaningful, e.g. in a merge patch);
 * - a chart's `namespace` is given to every object without one, cluster-scoped ones included, so
 *   the generated chart does not accept a namespace.
 */
import { IndentationText, Project, QuoteKind, StructureKind, type CodeBlockWriter, type WriterFunction } from 'ts-morph';
import type { KubernetesObject } from '../targets.js';
import type { TargetName } from '../target-names.js';

/** One object to put in a chart, with the target that emitted it. */
export interface ChartObject {
  target: TargetName;
  object: KubernetesObject;
}

/** What one generated module holds. */
export interface ChartModuleSource {
  /** The exported `Chart` subclass, e.g. `PspTranslateChart`; a valid TypeScript identifier. */
  className: string;
  /** What the chart holds, for its TSDoc (one sentence, no comment terminators needed). */
  description: string;
  /** The objects, in output order. */
  objects: readonly ChartObject[];
  /** Who generated the module, for its header, e.g. `psp-translate 0.1.0`. */
  generator: string;
}


const IDENTIFIER = /^[A-Za-z_$][A-Za-z0-9_$]*$/;

/** A string literal; multi-line text (Rego, CEL) as a template literal so it reads as it runs. */
function stringLiteral(text: string): string {
  // Template literals turn CR/CRLF into LF and would keep other control characters raw: those stay JSON-quoted.
  // eslint-disable-next-line no-control-regex
  if (!text.includes('\n') || /[\u0000-\u0008\u000b-\u001f\u007f]/.test(text)) return JSON.stringify(text);
  return '`' + text.replace(/\\/g, '\\\\').replace(/`/g, '\\`').replace(/\$\{/g, '\\${') + '`';
}

/** A property name; `__proto__` is computed, since a literal `__proto__:` would set the prototype instead. */
function propertyName(key: string): string {
  if (key === '__proto__') return `[${JSON.stringify(key)}]`;
  return IDENTIFIER.test(key) ? key : JSON.stringify(key);
}

function isScalar(value: unknown): boolean {
  return value === null || typeof value !== 'object';
}

/** Writes `value` as a TypeScript expression; collects the JSON pointer of every `null` in `nulls`. */
function writeValue(writer: CodeBlockWriter, value: unknown, pointer: string, nulls: string[], where: string): void {
  if (value === null) {
    nulls.push(pointer);
    writer.write('null');
  } else if (typeof value === 'string') {
    writer.write(stringLiteral(value));
  } else if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new Error(`${where}${pointer}: ${value} cannot be written as a Kubernetes value`);
    writer.write(Object.is(value, -0) ? '0' : String(value));
  } else if (typeof value === 'boolean') {
    writer.write(String(value));
  } else if (Array.isArray(value)) {
    if (value.length === 0) {
      writer.write('[]');
    } else if (value.every(isScalar) && value.every((item) => typeof item !== 'string' || !item.includes('\n')) && JSON.stringify(value).length <= 80) {
      writer.write('[');
      value.forEach((item, index) => {
        if (index > 0) writer.write(', ');
        writeValue(writer, item, `${pointer}/${index}`, nulls, where);
      });
      writer.write(']');
    } else {
      writer.write('[').newLine();
      writer.indent(() => {
        value.forEach((item, index) => {
          writeValue(writer, item, `${pointer}/${index}`, nulls, where);
          writer.write(',').newLine();
        });
      });
      writer.write(']');
    }
  } else if (typeof value === 'object' && value !== undefined) {
    const entries = Object.entries(value).filter(([, item]) => item !== undefined);
    if (entries.length === 0) {
      writer.write('{}');
      return;
    }
    writer.write('{').newLine();
    writer.indent(() => {
      for (const [key, item] of entries) {
        writer.write(`${propertyName(key)}: `);
        writeValue(writer, item, `${pointer}/${key.replace(/~/g, '~0').replace(/\//g, '~1')}`, nulls, where);
        writer.write(',').newLine();
      }
    });
    writer.write('}');
  } else {
    throw new Error(`${where}${pointer}: a ${typeof value} cannot be written as a Kubernetes value`);
  }
}

/** The construct id of an object: unique in the chart, since a target names each object uniquely per kind and namespace. */
export function constructId({ target, object }: ChartObject): string {
  // `:` cannot occur in Kubernetes names or kinds; `/` would be read by constructs as a path separator.
  return [target, object.kind, ...(object.metadata.namespace ? [object.metadata.namespace] : []), object.metadata.name].join(':');
}

function containsNull(value: unknown): boolean {
  if (value === null) return true;
  if (typeof value !== 'object') return false;
  return Object.values(value).some(containsNull);
}

function constructorBody(objects: readonly ChartObject[]): WriterFunction {
  return (writer) => {
    writer.writeLine('super(scope, id, props);');
    const ids = new Set<string>();
    for (const entry of objects) {
      const id = constructId(entry);
      if (ids.has(id)) throw new Error(`two objects would have the construct id ${id}: target ${entry.target} emitted the same kind, namespace and name twice`);
      ids.add(id);
      const nulls: string[] = [];
      writer.write(`new ApiObject(this, ${JSON.stringify(id)}, `);
      writeValue(writer, entry.object, '', nulls, `${id}: `);
      writer.write(')');
      if (nulls.length > 0) {
        // Array elements exist after rendering (as holes), object keys do not.
        const patches = nulls.map((pointer) => `JsonPatch.${/\/\d+$/.test(pointer) ? 'replace' : 'add'}(${JSON.stringify(pointer)}, null)`);
        writer.write(`.addJsonPatch(${patches.join(', ')})`);
      }
      writer.write(';').newLine();
    }
  };
}

/**
 * The TypeScript module for `source`: imports from `cdk8s` and `constructs`, and one exported
 * `Chart` subclass whose constructor creates an `ApiObject` for every object, in order.
 *
 * @throws Error when two objects would share a construct id, or a value is not JSON data (target bugs).
 */
export function chartModule(source: ChartModuleSource): string {
  const project = new Project({
    useInMemoryFileSystem: true,
    manipulationSettings: { indentationText: IndentationText.TwoSpaces, quoteKind: QuoteKind.Double },
  });
  const targets = [...new Set(source.objects.map(({ target }) => target))];
  const usesJsonPatch = source.objects.some(({ object }) => containsNull(object));
  const file = project.createSourceFile('chart.ts', {
    leadingTrivia: [
      `// Generated by ${source.generator} (translate --format cdk8s): ${source.objects.length} object${source.objects.length === 1 ? '' : 's'}${targets.length > 0 ? ` for ${targets.join(', ')}` : ''}.`,
      '// Regenerate it rather than edit it; the fidelity report printed with it applies to this code too.',
      '',
      '',
    ].join('\n'),
    statements: [
      {
        kind: StructureKind.ImportDeclaration,
        moduleSpecifier: 'cdk8s',
        namedImports: ['ApiObject', 'Chart', ...(usesJsonPatch ? ['JsonPatch'] : []), { name: 'ChartProps', isTypeOnly: true }],
      },
      { kind: StructureKind.ImportDeclaration, moduleSpecifier: 'constructs', isTypeOnly: true, namedImports: ['Construct'] },
      {
        kind: StructureKind.Class,
        isExported: true,
        name: source.className,
        extends: 'Chart',
        docs: [
          {
            description: `${source.description}\n\nThe chart takes no namespace: cdk8s would give it to every object without one, cluster-scoped policies included. Each object carries its own namespace when it has one.`,
          },
        ],
        ctors: [
          {
            parameters: [
              { name: 'scope', type: 'Construct' },
              { name: 'id', type: 'string' },
              { name: 'props', type: 'Omit<ChartProps, "namespace">', initializer: '{}' },
            ],
            statements: constructorBody(source.objects),
          },
        ],
      },
    ],
  });
  return file.getFullText();
}
