import type { Any } from '@yandex-cloud/nodejs-sdk/google/protobuf/any';
import type { Operation } from '@yandex-cloud/nodejs-sdk/operation/operation';
import { EmulatorError, STATUS_CODES } from './errors.js';
import { newId, type IdPrefix } from './ids.js';
import type { GrpcStatusName } from './types.js';

/** Anything with a ts-proto `encode`. */
export interface Codec<T> {
  encode(message: T): { finish(): Uint8Array };
}

/** `Any{type_url: type.googleapis.com/<full name>, value: encoded message}` (reference §8). */
export function packAny<T>(fullName: string, codec: Codec<T>, message: T): Any {
  return { typeUrl: `type.googleapis.com/${fullName}`, value: Buffer.from(codec.encode(message).finish()) };
}

/** For messages the emulator encodes itself (extra fields newer than SDK 3.2.0). */
export function packRaw(fullName: string, value: Buffer): Any {
  return { typeUrl: `type.googleapis.com/${fullName}`, value };
}

export interface OperationFault {
  code: GrpcStatusName;
  message: string;
}

export interface OperationSpec {
  method: string;
  createdBy: string;
  idPrefix: IdPrefix;
  description: string;
  metadata: Any;
  /** Folder the operation belongs to (for OperationService.Get authorization). */
  folderId: string;
  /** Ids the resource-level ListOperations calls find it under. */
  resourceIds: string[];
  /** The response, computed when the operation completes (the resource as it is then). */
  complete: () => Any;
  /** Undo the work; called when an injected operation-error fires (the real service rolls back). */
  rollback: () => void;
  fault: OperationFault | undefined;
}

interface OpRecord {
  op: Operation;
  spec: OperationSpec;
  readyAt: number;
  /** running -> done, or running -> failing (error set, done false: rollback in progress) -> done. */
  phase: 'running' | 'failing' | 'done';
  failureSeen: boolean;
  notFoundLeft: number;
}

export interface OperationSettings {
  now(): number;
  delayMs(): number;
  notFoundPolls(): number;
  doneOnCreate(): boolean;
}

/**
 * Long-running operations. The work itself happens when the call arrives (so the resource is visible
 * and its name taken at once); the Operation turns `done` once `delayMs` has passed, checked whenever
 * anything looks at it. With delay 0 the first OperationService.Get sees it done. An operation with an
 * injected fault rolls the work back when it comes due, is reported once as `done: false` with `error`
 * set (rollback in progress, reference §8), and as `done: true` with the same error after that.
 */
export class Operations {
  private readonly records = new Map<string, OpRecord>();
  private readonly idempotency = new Map<string, string>();

  constructor(private readonly settings: OperationSettings) {}

  start(spec: OperationSpec): Operation {
    const now = new Date(this.settings.now());
    const op: Operation = {
      id: newId(spec.idPrefix, 'operation'),
      description: spec.description,
      createdAt: now,
      createdBy: spec.createdBy,
      modifiedAt: now,
      done: false,
      metadata: spec.metadata,
      error: undefined,
      response: undefined,
    };
    const rec: OpRecord = {
      op, spec, readyAt: now.getTime() + this.settings.delayMs(), phase: 'running', failureSeen: false,
      notFoundLeft: this.settings.notFoundPolls(),
    };
    this.records.set(op.id, rec);
    if (this.settings.doneOnCreate()) this.finish(rec);
    return { ...op };
  }

  /** Complete every operation whose time has come. */
  settle(): void {
    const now = this.settings.now();
    for (const rec of this.records.values()) {
      if (rec.phase === 'running' && now >= rec.readyAt) this.finish(rec);
    }
  }

  private finish(rec: OpRecord): void {
    rec.op.modifiedAt = new Date(this.settings.now());
    if (rec.spec.fault !== undefined) {
      rec.spec.rollback();
      rec.op.error = { code: STATUS_CODES[rec.spec.fault.code], message: rec.spec.fault.message, details: [] };
      rec.phase = 'failing';
      return;
    }
    rec.op.response = rec.spec.complete();
    rec.op.done = true;
    rec.phase = 'done';
  }

  /** OperationService.Get: transient NOT_FOUNDs first, then the current state. */
  observe(id: string): { op: Operation; folderId: string } {
    const rec = this.records.get(id);
    if (rec === undefined) throw new EmulatorError('NOT_FOUND', `Operation ${id} not found`);
    if (rec.notFoundLeft > 0) {
      rec.notFoundLeft--;
      throw new EmulatorError('NOT_FOUND', `Operation ${id} not found`);
    }
    this.settle();
    if (rec.phase === 'failing') {
      if (rec.failureSeen) {
        rec.phase = 'done';
        rec.op.done = true;
        rec.op.modifiedAt = new Date(this.settings.now());
      } else rec.failureSeen = true;
    }
    return { op: { ...rec.op }, folderId: rec.spec.folderId };
  }

  /** When the operation comes (came) due, ms since the epoch; undefined for an unknown id. */
  readyAt(id: string): number | undefined {
    return this.records.get(id)?.readyAt;
  }

  /** Current state without side effects (idempotent replays, ListOperations). */
  peek(id: string): Operation | undefined {
    const rec = this.records.get(id);
    return rec === undefined ? undefined : { ...rec.op };
  }

  forResource(resourceId: string): Operation[] {
    this.settle();
    return [...this.records.values()]
      .filter((r) => r.spec.resourceIds.includes(resourceId))
      .map((r) => ({ ...r.op }))
      .reverse();
  }

  all(): Array<{ op: Operation; method: string }> {
    this.settle();
    return [...this.records.values()].map((r) => ({ op: { ...r.op }, method: r.spec.method }));
  }

  /** Same idempotency key + same method -> the operation of the first call. */
  replay(method: string, key: string): Operation | undefined {
    const id = this.idempotency.get(`${method}\n${key}`);
    if (id === undefined) return undefined;
    this.settle();
    return this.peek(id);
  }

  remember(method: string, key: string, operationId: string): void {
    this.idempotency.set(`${method}\n${key}`, operationId);
  }
}
