/** How `config` looks. `get` prints the bare value, so `$(aistudio-key config get folder-id)` works. */
import type { ConfigResult } from '../core/config.js';
import type { TextSink } from './text.js';

export function configDocument(r: ConfigResult): unknown {
  switch (r.action) {
    case 'set':
      return { key: r.key, value: r.value, cleared: r.cleared ?? null, file: r.path };
    case 'get':
      return { key: r.key, value: r.value ?? null, file: r.path };
    case 'unset':
      return { key: r.key, removed: r.removed, file: r.path };
    case 'list':
      return { file: r.path, settings: Object.fromEntries(r.values.map((v) => [v.key, v.value ?? null])) };
  }
}

export function configText(r: ConfigResult, out: TextSink): void {
  switch (r.action) {
    case 'set':
      out.note(`Set ${r.key} = ${r.value} in ${r.path}`);
      if (r.cleared) out.note(`Removed ${r.cleared}: ${r.key} and ${r.cleared} exclude each other.`);
      break;
    case 'get':
      if (r.value !== undefined) out.line(r.value);
      else out.note(`${r.key} is not set (${r.path}).`);
      break;
    case 'unset':
      out.note(r.removed ? `Removed ${r.key} from ${r.path}` : `${r.key} was not set (${r.path}).`);
      break;
    case 'list': {
      const set = r.values.filter((v) => v.value !== undefined);
      const width = Math.max(0, ...set.map((v) => v.key.length));
      for (const v of set) out.line(`${v.key.padEnd(width)}  ${v.value ?? ''}`);
      out.note(set.length > 0 ? `(${r.path})` : `Nothing set in ${r.path}. Keys: ${r.values.map((v) => v.key).join(', ')}.`);
      break;
    }
  }
}
