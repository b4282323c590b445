/**
 * The `grpc-status-details-bin` trailer: a google.rpc.Status whose `details` are Anys
 * (reference §2.3). nice-grpc leaves it undecoded and the SDK generates no error_details messages,
 * so the few fields we read are decoded here by hand. Pure: no SDK import.
 *
 * What we look for: a `google.rpc.QuotaFailure` detail, which says a RESOURCE_EXHAUSTED is a used-up
 * quota rather than a request-rate limit (googleapis error_details.proto, shipped in
 * yandex-cloud/cloudapi third_party/googleapis). Whether Yandex Cloud attaches one is unconfirmed;
 * where it does, it decides, and the wording is the fallback (cloud/errors.ts isQuotaExceeded).
 */

export interface StatusDetails {
  /** Full message names of the attached details ('google.rpc.QuotaFailure'). */
  types: string[];
  /** QuotaFailure violations: subject (the quota, e.g. iam.serviceAccounts.count) and description. */
  quotaViolations: Array<{ subject: string; description: string }>;
}

type Field = { no: number; bytes?: Uint8Array; varint?: number };

/** Protobuf fields of one message (varints and length-delimited only; anything else stops the scan). */
function fields(buf: Uint8Array): Field[] {
  const out: Field[] = [];
  let pos = 0;
  const varint = (): number => {
    let result = 0;
    let mul = 1;
    for (let i = 0; i < 10; i++) {
      const b = buf[pos++];
      if (b === undefined) throw new Error('truncated');
      result += (b & 0x7f) * mul;
      if ((b & 0x80) === 0) return result;
      mul *= 128;
    }
    throw new Error('varint too long');
  };
  while (pos < buf.length) {
    const tag = varint();
    const wire = tag & 7;
    const no = Math.floor(tag / 8);
    if (wire === 0) out.push({ no, varint: varint() });
    else if (wire === 2) {
      const len = varint();
      if (pos + len > buf.length) throw new Error('truncated');
      out.push({ no, bytes: buf.subarray(pos, pos + len) });
      pos += len;
    } else break;
  }
  return out;
}

const text = (b: Uint8Array | undefined): string => (b ? Buffer.from(b).toString('utf8') : '');

/** Decodes the trailer; undefined when it is absent or malformed (it is only ever a hint). */
export function decodeStatusDetails(bin: Uint8Array | undefined): StatusDetails | undefined {
  if (!bin || bin.length === 0) return undefined;
  try {
    const details: StatusDetails = { types: [], quotaViolations: [] };
    for (const f of fields(bin)) {
      if (f.no !== 3 || !f.bytes) continue;
      const any = fields(f.bytes);
      const typeUrl = text(any.find((x) => x.no === 1)?.bytes);
      const type = typeUrl.slice(typeUrl.lastIndexOf('/') + 1);
      details.types.push(type);
      if (type !== 'google.rpc.QuotaFailure') continue;
      for (const v of fields(any.find((x) => x.no === 2)?.bytes ?? new Uint8Array())) {
        if (v.no !== 1 || !v.bytes) continue;
        const violation = fields(v.bytes);
        details.quotaViolations.push({ subject: text(violation.find((x) => x.no === 1)?.bytes), description: text(violation.find((x) => x.no === 2)?.bytes) });
      }
    }
    return details;
  } catch {
    return undefined;
  }
}
