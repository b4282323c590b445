/**
 * The few protobuf messages the SDK does not generate (google.rpc.RequestInfo, google.rpc.BadRequest)
 * and fields newer than SDK 3.2.0 (ApiKey.masked_secret, ServiceAccount.status), written by hand.
 * Only length-delimited strings/messages and varints are needed.
 */

function varint(n: number): number[] {
  const out: number[] = [];
  let v = n;
  while (v > 0x7f) {
    out.push((v & 0x7f) | 0x80);
    v = Math.floor(v / 128);
  }
  out.push(v);
  return out;
}

/** A length-delimited field (string, bytes or embedded message). */
export function bytesField(fieldNo: number, value: Uint8Array | string): Buffer {
  const body = typeof value === 'string' ? Buffer.from(value, 'utf8') : Buffer.from(value);
  return Buffer.concat([Buffer.from(varint((fieldNo << 3) | 2)), Buffer.from(varint(body.length)), body]);
}

export function varintField(fieldNo: number, value: number): Buffer {
  return Buffer.from([...varint(fieldNo << 3), ...varint(value)]);
}

/** google.rpc.RequestInfo{request_id = 1, serving_data = 2}. */
export function encodeRequestInfo(requestId: string, servingData: string): Buffer {
  return Buffer.concat([bytesField(1, requestId), bytesField(2, servingData)]);
}

/** google.rpc.BadRequest{field_violations = 1: FieldViolation{field = 1, description = 2}}. */
export function encodeBadRequest(violations: Array<{ field: string; description: string }>): Buffer {
  return Buffer.concat(
    violations.map((v) => bytesField(1, Buffer.concat([bytesField(1, v.field), bytesField(2, v.description)]))),
  );
}

/** google.rpc.QuotaFailure{violations = 1: Violation{subject = 1, description = 2}} (the same wire shape as BadRequest). */
export function encodeQuotaFailure(violations: Array<{ subject: string; description: string }>): Buffer {
  return encodeBadRequest(violations.map((v) => ({ field: v.subject, description: v.description })));
}

/** Decoders for tests (a real client has to do the same by hand: reference §2.3). */
export function decodeFields(buf: Uint8Array): Array<{ fieldNo: number; value: Buffer | number }> {
  const out: Array<{ fieldNo: number; value: Buffer | number }> = [];
  let pos = 0;
  const readVarint = (): number => {
    let result = 0;
    let mul = 1;
    for (;;) {
      const b = buf[pos++];
      if (b === undefined) throw new Error('truncated varint');
      result += (b & 0x7f) * mul;
      if ((b & 0x80) === 0) return result;
      mul *= 128;
    }
  };
  while (pos < buf.length) {
    const tag = readVarint();
    const fieldNo = Math.floor(tag / 8);
    const wire = tag & 7;
    if (wire === 0) out.push({ fieldNo, value: readVarint() });
    else if (wire === 2) {
      const len = readVarint();
      out.push({ fieldNo, value: Buffer.from(buf.subarray(pos, pos + len)) });
      pos += len;
    } else throw new Error(`unsupported wire type ${wire}`);
  }
  return out;
}
