import { Status } from '@yandex-cloud/nodejs-sdk/google/rpc/status';
import { decodeFields } from './proto-extra.js';

export interface DecodedStatus {
  code: number;
  message: string;
  /** google.rpc.RequestInfo.request_id, when attached. */
  requestId: string | undefined;
  /** google.rpc.BadRequest field violations, when attached. */
  fieldViolations: Array<{ field: string; description: string }>;
  /** google.rpc.QuotaFailure violations, when attached (fidelity switch quotaError: 'quota-failure'). */
  quotaViolations: Array<{ subject: string; description: string }>;
}

/**
 * Decodes a `grpc-status-details-bin` trailer (google.rpc.Status with RequestInfo / BadRequest),
 * which nice-grpc leaves undecoded (reference §2.3).
 */
export function decodeStatus(bin: Uint8Array): DecodedStatus {
  const status = Status.decode(bin);
  let requestId: string | undefined;
  const fieldViolations: DecodedStatus['fieldViolations'] = [];
  const quotaViolations: DecodedStatus['quotaViolations'] = [];
  for (const d of status.details) {
    if (d.typeUrl.endsWith('/google.rpc.RequestInfo')) {
      const f = decodeFields(d.value).find((x) => x.fieldNo === 1);
      if (f !== undefined && Buffer.isBuffer(f.value)) requestId = f.value.toString('utf8');
    } else if (d.typeUrl.endsWith('/google.rpc.BadRequest') || d.typeUrl.endsWith('/google.rpc.QuotaFailure')) {
      const into = d.typeUrl.endsWith('/google.rpc.BadRequest') ? fieldViolations : undefined;
      for (const v of decodeFields(d.value)) {
        if (!Buffer.isBuffer(v.value)) continue;
        const inner = decodeFields(v.value);
        const str = (n: number): string => {
          const x = inner.find((y) => y.fieldNo === n)?.value;
          return Buffer.isBuffer(x) ? x.toString('utf8') : '';
        };
        if (into) into.push({ field: str(1), description: str(2) });
        else quotaViolations.push({ subject: str(1), description: str(2) });
      }
    }
  }
  return { code: status.code, message: status.message, requestId, fieldViolations, quotaViolations };
}
